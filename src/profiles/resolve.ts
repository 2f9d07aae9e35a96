/**
 * A saved profile plus flags and environment → a Target. Precedence, per field: flags, then the
 * environment, then the stored value. The environment only overrides fields of the profile's own
 * credential type (a key profile reads AZURE_STORAGE_KEY but ignores AZURE_CLIENT_SECRET), so a
 * stray variable cannot silently switch a profile to another identity. The one exception is the
 * `--sas` flag, which replaces any Azure credential for that run.
 */
import { UsageError } from '../errors.js';
import {
  checkRequestPayer,
  checkUserProject,
  s3Defaults,
  type AzureAuth,
  type GcsAuth,
  type S3Auth,
  type Target,
  type TargetOptions,
} from '../target.js';
import { parseConnectionString } from '../providers/azure-connection-string.js';
import { S3_FIELDS } from '../providers/s3-credentials.js';
import { authFields, envOverrides, firstEnv } from '../providers/credentials.js';
import {
  AZURE_AUTH_TYPES,
  GCS_AUTH_TYPES,
  S3_AUTH_TYPES,
  type AzureProfile,
  type GcsProfile,
  type Profile,
  type S3Profile,
} from './types.js';

/** Environment variables read for each credential type: field → variables, first set wins (from the credential tables). */
export const ENV_OVERRIDES: Record<string, Record<string, readonly string[]>> = Object.fromEntries(
  [...AZURE_AUTH_TYPES, ...S3_AUTH_TYPES, ...GCS_AUTH_TYPES].map((t) => [t, envOverrides(t)]),
);
/** Location settings the environment overrides for S3 profiles (flags win over both). */
export const S3_LOCATION_ENV = { region: S3_FIELDS.region.env, endpoint: S3_FIELDS.endpoint.env };

/** Credential types whose id and secret the environment overrides only together: [id field, secret field]. */
const KEY_PAIRS: Readonly<Record<string, readonly [string, string]>> = {
  keys: ['accessKeyId', 'secretAccessKey'],
  hmac: ['hmacAccessId', 'hmacSecret'],
};

/** The credential fields after environment overrides, and which variables were used. */
export function effectiveAuth(p: Profile, env: NodeJS.ProcessEnv): { auth: Record<string, unknown>; overridden: Record<string, string> } {
  const auth: Record<string, unknown> = { ...p.auth };
  const overridden: Record<string, string> = {};
  const table = ENV_OVERRIDES[p.auth.type] ?? {};
  // A key pair (S3 keys, a GCS HMAC key) is overridden only as a pair: an id and another key's
  // secret never sign.
  const pair = KEY_PAIRS[p.auth.type];
  if (pair) {
    const id = firstEnv(table[pair[0]], env);
    const secret = firstEnv(table[pair[1]], env);
    if (id && secret) {
      auth[pair[0]] = id.value;
      auth[pair[1]] = secret.value;
      overridden[pair[0]] = id.name;
      overridden[pair[1]] = secret.name;
      if (p.auth.type === 'keys') {
        // Temporary keys from the environment come with their own token (or none).
        const tok = firstEnv(table.sessionToken, env);
        auth.sessionToken = tok?.value;
        if (tok) overridden.sessionToken = tok.name;
      }
    }
    return { auth, overridden };
  }
  for (const [field, vars] of Object.entries(table)) {
    const found = firstEnv(vars, env);
    if (found) {
      auth[field] = found.value;
      overridden[field] = found.name;
    }
  }
  return { auth, overridden };
}

function missing(name: string, what: string, field: string, type: string): UsageError {
  const vars = ENV_OVERRIDES[type]?.[field] ?? [];
  return new UsageError(`profile "${name}" has no ${what}`, {
    hint: `${vars.length ? `set ${vars.join(' or ')}, or ` : ''}save it with \`archive profile add ${name} --auth ${type} … --force\``,
  });
}

/**
 * The credential of a profile after environment overrides, as strings: every field its type
 * declares (credential tables), empty ones dropped. Throws UsageError (exit 2) naming the first
 * required field that neither the file nor the environment supplies.
 */
function credentialValues(name: string, p: Profile, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const { auth } = effectiveAuth(p, env);
  const out: Record<string, string | undefined> = {};
  for (const f of authFields(p.auth.type)) {
    const v = auth[f.name];
    out[f.name] = typeof v === 'string' && v !== '' ? v : undefined;
    if (f.use === 'required' && out[f.name] === undefined) throw missing(name, f.spec.label, f.name, p.auth.type);
  }
  return out;
}

function joinPrefix(base: string | undefined, rest: string): string {
  if (!base) return rest;
  if (!rest) return base;
  return base.endsWith('/') ? base + rest.replace(/^\/+/, '') : `${base}/${rest.replace(/^\/+/, '')}`;
}

/** With no container/bucket saved, `NAME:CONTAINER/PREFIX` names it. */
function splitFirst(prefix: string): { first: string; rest: string } {
  const t = prefix.replace(/^\/+/, '');
  const i = t.indexOf('/');
  return i < 0 ? { first: t, rest: '' } : { first: t.slice(0, i), rest: t.slice(i + 1) };
}

/** The target credential of an Azure type from its (checked) field values: the values are the table's fields. */
function azureAuth(type: AzureProfile['auth']['type'], v: Record<string, string | undefined>, account: string): AzureAuth {
  const req = (k: string) => v[k] as string; // credentialValues() has thrown when a required one is missing
  switch (type) {
    case 'sas':
      return { type, token: req('token').replace(/^\?/, '') };
    case 'key':
      return { type, accountName: account, accountKey: req('accountKey') };
    case 'connection-string':
      return { type, connectionString: req('connectionString') };
    case 'service-principal':
      return {
        type,
        tenantId: req('tenantId'),
        clientId: req('clientId'),
        clientSecret: req('clientSecret'),
        authorityHost: v.authorityHost,
      };
    case 'device-code':
      return { type, tenantId: v.tenantId, clientId: v.clientId, authorityHost: v.authorityHost };
    case 'anonymous':
      return { type };
    default:
      return { type: 'default' };
  }
}

function azureTarget(name: string, p: AzureProfile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  let container = p.container ?? '';
  let rest = prefix;
  if (!container) ({ first: container, rest } = splitFirst(prefix));
  let serviceUrl = p.serviceUrl;
  let account = p.account;
  let auth: AzureAuth;
  if (opts.sas) {
    auth = { type: 'sas', token: opts.sas.replace(/^\?/, '') };
  } else {
    const v = credentialValues(name, p, env);
    const type = p.auth.type;
    if (type === 'connection-string' && v.connectionString !== p.auth.connectionString) {
      // A connection string from the environment brings its own account and endpoint.
      const parts = parseConnectionString(v.connectionString as string);
      if (parts.blobEndpoint) serviceUrl = parts.blobEndpoint;
      if (parts.accountName) account = parts.accountName;
    }
    // A device-code login waits (up to 15 minutes) for a person to type a code in a browser.
    if (type === 'device-code' && (env.CI || env.ARCHIVE_NO_PROMPT)) {
      throw new UsageError(`profile "${name}" signs in with a device code, which needs a person (CI/ARCHIVE_NO_PROMPT is set)`, {
        hint: 'in CI use a service principal (`--auth service-principal`) or a SAS; or unset CI to sign in interactively',
      });
    }
    auth = azureAuth(type, v, account);
  }
  return { provider: 'azure', account, serviceUrl, container, prefix: joinPrefix(p.prefix, rest), auth, layout: p.layout, profile: name };
}

function s3Target(name: string, p: S3Profile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  let bucket = p.bucket ?? '';
  let rest = prefix;
  if (!bucket) ({ first: bucket, rest } = splitFirst(prefix));
  const d = s3Defaults(opts, env);
  const endpoint = d.endpoint ?? p.endpoint;
  const v = credentialValues(name, p, env);
  const auth: S3Auth =
    p.auth.type === 'keys'
      ? { type: 'keys', accessKeyId: v.accessKeyId as string, secretAccessKey: v.secretAccessKey as string, sessionToken: v.sessionToken }
      : p.auth.type === 'assume-role'
        ? { type: 'assume-role', roleArn: v.roleArn as string, externalId: v.externalId, sessionName: v.sessionName, profile: v.awsProfile }
        : v.awsProfile
          ? { type: 'chain', profile: v.awsProfile }
          : { type: 'chain' };
  return {
    provider: 's3',
    bucket,
    prefix: joinPrefix(p.prefix, rest),
    region: d.region ?? p.region,
    endpoint,
    forcePathStyle: p.forcePathStyle ?? (endpoint ? true : undefined),
    auth,
    layout: p.layout,
    profile: name,
    // --request-payer on the command line is applied after (target.ts); this is the stored one.
    ...(p.requestPayer ? { requestPayer: checkRequestPayer(p.requestPayer, `profile "${name}": requestPayer`) } : {}),
  };
}

function gcsTarget(name: string, p: GcsProfile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  let bucket = p.bucket ?? '';
  let rest = prefix;
  if (!bucket) ({ first: bucket, rest } = splitFirst(prefix));
  const v = credentialValues(name, p, env);
  const auth: GcsAuth =
    p.auth.type === 'hmac'
      ? { type: 'hmac', hmacAccessId: v.hmacAccessId as string, hmacSecret: v.hmacSecret as string }
      : p.auth.type === 'service-account'
        ? { type: 'service-account', keyFile: v.keyFile as string }
        : { type: 'application-default' };
  return {
    provider: 'gcs',
    bucket,
    prefix: joinPrefix(p.prefix, rest),
    endpoint: opts.endpoint ?? p.endpoint,
    auth,
    layout: p.layout,
    profile: name,
    // --user-project and GOOGLE_CLOUD_QUOTA_PROJECT are applied after (target.ts); this is the stored one.
    ...(p.userProject ? { userProject: checkUserProject(p.userProject, `profile "${name}": userProject`) } : {}),
  };
}

export function profileTarget(name: string, p: Profile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  if (p.provider === 'gcs') return gcsTarget(name, p, prefix, opts, env);
  return p.provider === 'azure' ? azureTarget(name, p, prefix, opts, env) : s3Target(name, p, prefix, opts, env);
}

/** The location a profile points at, for display (no credential in it). */
export function profileLocation(p: Profile): string {
  const pre = p.prefix ? `/${p.prefix}` : '';
  if (p.provider === 'azure') return `az://${p.account}${p.container ? `/${p.container}${pre}` : ''}`;
  if (p.provider === 'gcs') return `gs://${p.bucket ?? ''}${p.bucket ? pre : ''}`;
  return `s3://${p.bucket ?? ''}${p.bucket ? pre : ''}`;
}
