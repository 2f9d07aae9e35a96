/**
 * Turns a location string plus flags, environment and (optionally) saved profiles into a Target:
 * everything a provider needs to connect, with the credential chosen. Precedence, most specific
 * first: credentials in the location itself (SAS URL) > flags > environment > profile > default chain.
 */
import { parseLocation, type Location } from './location.js';
import { UsageError } from './errors.js';
import { registerSecret } from './redact.js';
import { parseConnectionString } from './providers/azure-connection-string.js';
import { AZURE_FIELDS } from './providers/azure-credentials.js';
import { S3_FIELDS } from './providers/s3-credentials.js';
import { GCS_FIELDS } from './providers/gcs-credentials.js';
import { credentialSecrets, envValue } from './providers/credentials.js';
import { REQUEST_PAYERS, type AzureAuth, type GcsAuth, type RequestPayer, type S3Auth, type Target } from './providers/target-types.js';

export type { AzureAuth, AzureTarget, GcsAuth, GcsTarget, RequestPayer, S3Auth, S3Target, Target } from './providers/target-types.js';

export interface TargetOptions {
  endpoint?: string;
  region?: string;
  sas?: string;
  account?: string;
  /** `--request-payer`: S3 requester pays for this run (a profile may also store it). */
  requestPayer?: string;
  /** `--user-project`: the Google Cloud project billed for GCS requests (requester pays). */
  userProject?: string;
}

/** A --request-payer value checked: S3 defines one, `requester`. */
export function checkRequestPayer(value: string | undefined, flag = '--request-payer'): RequestPayer | undefined {
  if (value === undefined) return undefined;
  if ((REQUEST_PAYERS as readonly string[]).includes(value)) return value as RequestPayer;
  throw new UsageError(`${flag}: unknown value "${value}"`, {
    hint: `S3 knows one: ${flag} requester (the requester pays for the requests and the transfer)`,
  });
}

// `vespa-cloud-data-prod.aws-us-east-1c-9eb633`: the zone is a region and an availability zone letter.
const VESPA_BUCKET_ZONE = /^vespa-cloud-data-[a-z0-9-]+\.aws-([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]-[0-9a-f]+$/;

/**
 * The region of a Vespa Cloud archive bucket, read from the zone in its name: used when no region
 * is given (--region, AWS_REGION, the profile), so a bucket outside us-east-1 needs no flag.
 */
export function vespaBucketRegion(bucket: string): string | undefined {
  return VESPA_BUCKET_ZONE.exec(bucket)?.[1];
}

/**
 * Applies --request-payer to a resolved target. Requester pays is S3's: on an Azure location the
 * option is a usage error rather than silently ignored (an Azure account is billed to its owner).
 */
function applyRequestPayer(target: Target, opts: TargetOptions): void {
  const payer = checkRequestPayer(opts.requestPayer);
  if (!payer) return;
  if (target.provider === 'gcs') {
    throw new UsageError('--request-payer is for S3 locations: Cloud Storage bills the project given by --user-project', {
      hint: 'use --user-project PROJECT for gs:// locations',
    });
  }
  if (target.provider !== 's3') {
    throw new UsageError('--request-payer is for S3 locations: Azure Blob Storage has no requester pays', {
      hint: 'drop --request-payer for az:// and blob URLs (the storage account owner pays for Azure requests)',
    });
  }
  target.requestPayer = payer;
}

/** A Google Cloud project id: 6-30 characters, lowercase letters, digits and hyphens (domain-scoped ids have a colon). */
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** A --user-project value checked (a project id as the console shows it). */
export function checkUserProject(value: string | undefined, flag = '--user-project'): string | undefined {
  if (value === undefined) return undefined;
  if (PROJECT_ID.test(value)) return value;
  throw new UsageError(`${flag}: "${value}" is not a Google Cloud project id`, {
    hint: 'give the project id (6-30 lowercase letters, digits and hyphens, e.g. my-project-123), not its name or number',
  });
}

/** Applies --user-project: GCS's requester pays; a usage error anywhere else. */
function applyUserProject(target: Target, opts: TargetOptions, env: NodeJS.ProcessEnv): void {
  const project = checkUserProject(opts.userProject);
  if (project && target.provider !== 'gcs') {
    throw new UsageError('--user-project is for Cloud Storage (gs://) locations', {
      hint: target.provider === 's3' ? 'S3 requester pays is --request-payer requester' : 'drop --user-project for Azure locations',
    });
  }
  if (target.provider !== 'gcs') return;
  const fromEnv = envValue(GCS_FIELDS.userProject.env, env);
  const chosen = project ?? checkUserProject(fromEnv, GCS_FIELDS.userProject.env[0]) ?? target.userProject;
  if (chosen) target.userProject = chosen;
}

/** What a saved profile contributes; implemented by the profile store. */
export interface ProfileSource {
  resolve(name: string, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Promise<Target>;
  /** The profile marked as default by `profile use`, if any. */
  defaultName(): Promise<string | undefined>;
}

/**
 * The blob endpoint AZURE_STORAGE_CONNECTION_STRING gives for `account` (its BlobEndpoint, or
 * DefaultEndpointsProtocol + AccountName + EndpointSuffix: emulators, Azure China/US Gov, private
 * endpoints), or undefined when it is for another account. A broken connection string is not
 * this function's business: the credential lookup reports it.
 */
export function connectionStringEndpoint(account: string, env: NodeJS.ProcessEnv): string | undefined {
  const cs = envValue(AZURE_FIELDS.connectionString.env, env);
  if (!cs) return undefined;
  try {
    const parts = parseConnectionString(cs);
    return parts.accountName === account ? parts.blobEndpoint : undefined;
  } catch {
    return undefined;
  }
}

function azureAuthFromEnv(
  account: string,
  opts: TargetOptions,
  env: NodeJS.ProcessEnv,
): { auth: AzureAuth; serviceUrl?: string } | undefined {
  const F = AZURE_FIELDS;
  const sas = opts.sas ?? envValue(F.token.env, env);
  if (sas) return { auth: { type: 'sas', token: sas.replace(/^\?/, '') } };
  const cs = envValue(F.connectionString.env, env);
  if (cs) {
    const parts = parseConnectionString(cs);
    if (!account || parts.accountName === account) {
      return { auth: { type: 'connection-string', connectionString: cs }, serviceUrl: parts.blobEndpoint };
    }
  }
  const key = envValue(F.accountKey.env, env);
  const keyAccount = envValue(F.account.env, env) ?? account;
  if (key && keyAccount && (!account || keyAccount === account)) {
    return { auth: { type: 'key', accountName: keyAccount, accountKey: key } };
  }
  const [clientSecret, clientId, tenantId] = [F.clientSecret, F.clientId, F.tenantId].map((f) => envValue(f.env, env));
  if (clientSecret && clientId && tenantId) {
    return { auth: { type: 'service-principal', tenantId, clientId, clientSecret, authorityHost: envValue(F.authorityHost.env, env) } };
  }
  return undefined;
}

/** Registers the secrets of the target's credential for redaction (which fields: the credential tables). */
export function registerTargetSecrets(t: Target): void {
  for (const s of credentialSecrets(t.auth.type, t.auth as unknown as Record<string, unknown>)) registerSecret(s);
}

export function s3Defaults(opts: TargetOptions, env: NodeJS.ProcessEnv): { endpoint?: string; region?: string } {
  return {
    endpoint: opts.endpoint ?? envValue(S3_FIELDS.endpoint.env, env),
    region: opts.region ?? envValue(S3_FIELDS.region.env, env),
  };
}

function fromLocation(loc: Exclude<Location, { provider: 'profile' }>, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  if (loc.provider === 'azure') {
    // az://ACCOUNT names no endpoint: the connection string's, when it is for that account, wins
    // over the public-cloud guess whatever supplies the credential. A URL's own host always wins.
    const serviceUrl = (loc.endpointGuessed && connectionStringEndpoint(loc.account, env)) || loc.serviceUrl;
    if (loc.sas)
      return {
        provider: 'azure',
        account: loc.account,
        serviceUrl,
        container: loc.container,
        prefix: loc.prefix,
        auth: { type: 'sas', token: loc.sas },
      };
    const found = azureAuthFromEnv(loc.account, opts, env);
    return {
      provider: 'azure',
      account: loc.account,
      serviceUrl,
      container: loc.container,
      prefix: loc.prefix,
      auth: found?.auth ?? { type: 'default' },
    };
  }
  if (loc.provider === 'gcs') {
    return { provider: 'gcs', bucket: loc.bucket, prefix: loc.prefix, endpoint: opts.endpoint, auth: gcsAuthFromEnv(env) };
  }
  const { endpoint, region } = s3Defaults(opts, env);
  return {
    provider: 's3',
    bucket: loc.bucket,
    prefix: loc.prefix,
    endpoint,
    region,
    forcePathStyle: endpoint ? true : undefined,
    auth: chainAuth(envValue(S3_FIELDS.awsProfile.env, env)),
  };
}

/**
 * A GCS credential from the environment: an HMAC pair (GCS_HMAC_ACCESS_ID + GCS_HMAC_SECRET), else
 * Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server).
 */
export function gcsAuthFromEnv(env: NodeJS.ProcessEnv): GcsAuth {
  const accessId = envValue(GCS_FIELDS.hmacAccessId.env, env);
  const secret = envValue(GCS_FIELDS.hmacSecret.env, env);
  if (accessId && secret) return { type: 'hmac', hmacAccessId: accessId, hmacSecret: secret };
  return { type: 'application-default' };
}

function chainAuth(profile: string | undefined): S3Auth {
  return profile ? { type: 'chain', profile } : { type: 'chain' };
}

export async function resolveTarget(
  input: string,
  opts: TargetOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  profiles?: ProfileSource,
): Promise<Target> {
  const loc = parseLocation(input);
  let target: Target;
  if (loc.provider === 'profile') {
    if (!profiles)
      throw new UsageError(`unknown profile "${loc.profile}"`, {
        hint: 'list profiles with `archive profile list`, add one with `archive profile add`',
      });
    target = await profiles.resolve(loc.profile, loc.prefix, opts, env);
  } else {
    target = fromLocation(loc, opts, env);
  }
  applyRequestPayer(target, opts);
  applyUserProject(target, opts, env);
  if (target.provider === 's3' && !target.region) target.region = vespaBucketRegion(target.bucket);
  registerTargetSecrets(target);
  return target;
}

/**
 * For commands where the location is optional (`containers`): fall back to the default profile,
 * then to an account named by the environment (connection string, AZURE_STORAGE_ACCOUNT).
 */
export async function resolveAccountTarget(
  input: string | undefined,
  opts: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
  profiles?: ProfileSource,
): Promise<Target> {
  if (input) return resolveTarget(input, opts, env, profiles);
  const def = profiles ? await profiles.defaultName() : undefined;
  if (def) return resolveTarget(`${def}:`, opts, env, profiles);
  const account = opts.account ?? envValue(AZURE_FIELDS.account.env, env);
  const cs = envValue(AZURE_FIELDS.connectionString.env, env);
  if (cs || account) {
    const parts = cs ? parseConnectionString(cs) : undefined;
    const acct = account ?? parts?.accountName ?? '';
    const found = azureAuthFromEnv(acct, opts, env);
    const t: Target = {
      provider: 'azure',
      account: acct,
      serviceUrl: found?.serviceUrl ?? `https://${acct}.blob.core.windows.net`,
      container: '',
      prefix: '',
      auth: found?.auth ?? { type: 'default' },
    };
    registerTargetSecrets(t);
    return t;
  }
  throw new UsageError('no location given and no default to use', {
    hint: 'pass a location (az://ACCOUNT, s3://BUCKET or PROFILE:), set AZURE_STORAGE_CONNECTION_STRING, or pick a default with `archive profile use NAME`',
  });
}
