/**
 * Turns a location string plus flags, environment and (optionally) saved profiles into a Target:
 * everything a provider needs to connect, with the credential chosen. Precedence, most specific
 * first: credentials in the location itself (SAS URL) > flags > environment > profile > default chain.
 */
import { parseLocation, type Location } from './location.js';
import { UsageError } from './errors.js';
import { registerSecret } from './redact.js';

export type AzureAuth =
  | { type: 'sas'; token: string }
  | { type: 'key'; accountName: string; accountKey: string }
  | { type: 'connection-string'; connectionString: string }
  | { type: 'service-principal'; tenantId: string; clientId: string; clientSecret: string; authorityHost?: string }
  | { type: 'device-code'; tenantId?: string; clientId?: string; authorityHost?: string }
  | { type: 'default' }
  | { type: 'anonymous' };

export type S3Auth =
  | { type: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { type: 'chain'; profile?: string }
  | { type: 'assume-role'; roleArn: string; externalId?: string; sessionName?: string; profile?: string };

export interface AzureTarget {
  provider: 'azure';
  account: string;
  serviceUrl: string;
  container: string;
  prefix: string;
  auth: AzureAuth;
}
export interface S3Target {
  provider: 's3';
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  auth: S3Auth;
}
export type Target = (AzureTarget | S3Target) & { layout?: string; profile?: string };

export interface TargetOptions {
  endpoint?: string;
  region?: string;
  sas?: string;
  account?: string;
}

/** What a saved profile contributes; implemented by the profile store. */
export interface ProfileSource {
  resolve(name: string, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Promise<Target>;
  /** The profile marked as default by `profile use`, if any. */
  defaultName(): Promise<string | undefined>;
}

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface ConnectionStringParts {
  accountName?: string;
  accountKey?: string;
  blobEndpoint?: string;
  sas?: string;
}

export function parseConnectionString(cs: string): ConnectionStringParts {
  const map = new Map<string, string>();
  for (const part of cs.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (map.get('usedevelopmentstorage') === 'true') {
    return { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, blobEndpoint: `http://127.0.0.1:10000/${AZURITE_ACCOUNT}` };
  }
  const accountName = map.get('accountname');
  const protocol = map.get('defaultendpointsprotocol') ?? 'https';
  const suffix = map.get('endpointsuffix') ?? 'core.windows.net';
  const blobEndpoint =
    map.get('blobendpoint')?.replace(/\/+$/, '') ?? (accountName ? `${protocol}://${accountName}.blob.${suffix}` : undefined);
  if (!blobEndpoint) {
    throw new UsageError('AZURE_STORAGE_CONNECTION_STRING has neither AccountName nor BlobEndpoint', {
      hint: 'copy the connection string from the portal: Storage account → Access keys',
    });
  }
  return {
    accountName: accountName ?? blobEndpoint.split('/').pop(),
    accountKey: map.get('accountkey'),
    blobEndpoint,
    sas: map.get('sharedaccesssignature'),
  };
}

/**
 * The blob endpoint AZURE_STORAGE_CONNECTION_STRING gives for `account` (its BlobEndpoint, or
 * DefaultEndpointsProtocol + AccountName + EndpointSuffix: emulators, Azure China/US Gov, private
 * endpoints), or undefined when it is for another account. A broken connection string is not
 * this function's business: the credential lookup reports it.
 */
export function connectionStringEndpoint(account: string, env: NodeJS.ProcessEnv): string | undefined {
  const cs = env.AZURE_STORAGE_CONNECTION_STRING;
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
  const sas = opts.sas ?? env.AZURE_STORAGE_SAS_TOKEN;
  if (sas) return { auth: { type: 'sas', token: sas.replace(/^\?/, '') } };
  const cs = env.AZURE_STORAGE_CONNECTION_STRING;
  if (cs) {
    const parts = parseConnectionString(cs);
    if (!account || parts.accountName === account) {
      return { auth: { type: 'connection-string', connectionString: cs }, serviceUrl: parts.blobEndpoint };
    }
  }
  const key = env.AZURE_STORAGE_KEY ?? env.AZURE_STORAGE_ACCESS_KEY;
  const keyAccount = env.AZURE_STORAGE_ACCOUNT ?? account;
  if (key && keyAccount && (!account || keyAccount === account)) {
    return { auth: { type: 'key', accountName: keyAccount, accountKey: key } };
  }
  if (env.AZURE_CLIENT_SECRET && env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID) {
    return {
      auth: {
        type: 'service-principal',
        tenantId: env.AZURE_TENANT_ID,
        clientId: env.AZURE_CLIENT_ID,
        clientSecret: env.AZURE_CLIENT_SECRET,
        authorityHost: env.AZURE_AUTHORITY_HOST,
      },
    };
  }
  return undefined;
}

export function registerTargetSecrets(t: Target): void {
  if (t.provider === 'azure') {
    const a = t.auth;
    if (a.type === 'sas') {
      registerSecret(new URLSearchParams(a.token).get('sig') ?? undefined);
    } else if (a.type === 'key') registerSecret(a.accountKey);
    else if (a.type === 'connection-string') {
      const p = parseConnectionString(a.connectionString);
      registerSecret(p.accountKey);
      if (p.sas) registerSecret(new URLSearchParams(p.sas).get('sig') ?? undefined);
    } else if (a.type === 'service-principal') registerSecret(a.clientSecret);
  } else if (t.auth.type === 'keys') {
    registerSecret(t.auth.secretAccessKey);
    registerSecret(t.auth.sessionToken);
  }
}

export function s3Defaults(opts: TargetOptions, env: NodeJS.ProcessEnv): { endpoint?: string; region?: string } {
  return {
    endpoint: opts.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
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
  const { endpoint, region } = s3Defaults(opts, env);
  return {
    provider: 's3',
    bucket: loc.bucket,
    prefix: loc.prefix,
    endpoint,
    region,
    forcePathStyle: endpoint ? true : undefined,
    auth: env.AWS_PROFILE ? { type: 'chain', profile: env.AWS_PROFILE } : { type: 'chain' },
  };
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
  const account = opts.account ?? env.AZURE_STORAGE_ACCOUNT;
  const cs = env.AZURE_STORAGE_CONNECTION_STRING;
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
