/**
 * A saved profile plus flags and environment → a Target. Precedence, per field: flags, then the
 * environment, then the stored value. The environment only overrides fields of the profile's own
 * credential type (a key profile reads AZURE_STORAGE_KEY but ignores AZURE_CLIENT_SECRET), so a
 * stray variable cannot silently switch a profile to another identity. The one exception is the
 * `--sas` flag, which replaces any Azure credential for that run.
 */
import { UsageError } from '../errors.js';
import { parseConnectionString, s3Defaults, type AzureAuth, type S3Auth, type Target, type TargetOptions } from '../target.js';
import type { AzureProfile, Profile, S3Profile } from './types.js';

/** Environment variables read for each credential type: field → variables, first set wins. */
export const ENV_OVERRIDES: Record<string, Record<string, string[]>> = {
  sas: { token: ['AZURE_STORAGE_SAS_TOKEN'] },
  key: { accountKey: ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY'] },
  'connection-string': { connectionString: ['AZURE_STORAGE_CONNECTION_STRING'] },
  'service-principal': {
    tenantId: ['AZURE_TENANT_ID'],
    clientId: ['AZURE_CLIENT_ID'],
    clientSecret: ['AZURE_CLIENT_SECRET'],
    authorityHost: ['AZURE_AUTHORITY_HOST'],
  },
  'device-code': { tenantId: ['AZURE_TENANT_ID'], clientId: ['AZURE_CLIENT_ID'], authorityHost: ['AZURE_AUTHORITY_HOST'] },
  // AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY override together (both must be set).
  keys: { accessKeyId: ['AWS_ACCESS_KEY_ID'], secretAccessKey: ['AWS_SECRET_ACCESS_KEY'], sessionToken: ['AWS_SESSION_TOKEN'] },
  chain: { awsProfile: ['AWS_PROFILE'] },
  'assume-role': { roleArn: ['ARCHIVE_ROLE_ARN'], externalId: ['ARCHIVE_EXTERNAL_ID'], awsProfile: ['AWS_PROFILE'] },
};
/** Location settings the environment overrides for S3 profiles (flags win over both). */
export const S3_LOCATION_ENV = { region: ['AWS_REGION', 'AWS_DEFAULT_REGION'], endpoint: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] };

function fromEnv(vars: string[] | undefined, env: NodeJS.ProcessEnv): { value: string; name: string } | undefined {
  for (const name of vars ?? []) {
    const v = env[name];
    if (v !== undefined && v !== '') return { value: v, name };
  }
  return undefined;
}

/** The credential fields after environment overrides, and which variables were used. */
export function effectiveAuth(p: Profile, env: NodeJS.ProcessEnv): { auth: Record<string, unknown>; overridden: Record<string, string> } {
  const auth: Record<string, unknown> = { ...p.auth };
  const overridden: Record<string, string> = {};
  const table = ENV_OVERRIDES[p.auth.type] ?? {};
  if (p.auth.type === 'keys') {
    const id = fromEnv(table.accessKeyId, env);
    const secret = fromEnv(table.secretAccessKey, env);
    if (id && secret) {
      auth.accessKeyId = id.value;
      auth.secretAccessKey = secret.value;
      overridden.accessKeyId = id.name;
      overridden.secretAccessKey = secret.name;
      // Temporary keys from the environment come with their own token (or none).
      const tok = fromEnv(table.sessionToken, env);
      auth.sessionToken = tok?.value;
      if (tok) overridden.sessionToken = tok.name;
    }
    return { auth, overridden };
  }
  for (const [field, vars] of Object.entries(table)) {
    const found = fromEnv(vars, env);
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
    const { auth: a } = effectiveAuth(p, env);
    const s = (k: string) => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : undefined);
    switch (p.auth.type) {
      case 'sas': {
        const token = s('token');
        if (!token) throw missing(name, 'SAS token', 'token', 'sas');
        auth = { type: 'sas', token: token.replace(/^\?/, '') };
        break;
      }
      case 'key': {
        const accountKey = s('accountKey');
        if (!accountKey) throw missing(name, 'account key', 'accountKey', 'key');
        auth = { type: 'key', accountName: account, accountKey };
        break;
      }
      case 'connection-string': {
        const cs = s('connectionString');
        if (!cs) throw missing(name, 'connection string', 'connectionString', 'connection-string');
        if (cs !== (p.auth as { connectionString?: string }).connectionString) {
          // A connection string from the environment brings its own account and endpoint.
          const parts = parseConnectionString(cs);
          if (parts.blobEndpoint) serviceUrl = parts.blobEndpoint;
          if (parts.accountName) account = parts.accountName;
        }
        auth = { type: 'connection-string', connectionString: cs };
        break;
      }
      case 'service-principal': {
        const tenantId = s('tenantId');
        const clientId = s('clientId');
        const clientSecret = s('clientSecret');
        if (!tenantId) throw missing(name, 'tenant id', 'tenantId', 'service-principal');
        if (!clientId) throw missing(name, 'client id', 'clientId', 'service-principal');
        if (!clientSecret) throw missing(name, 'client secret', 'clientSecret', 'service-principal');
        auth = { type: 'service-principal', tenantId, clientId, clientSecret, authorityHost: s('authorityHost') };
        break;
      }
      case 'device-code':
        // A device-code login waits (up to 15 minutes) for a person to type a code in a browser.
        if (env.CI || env.ARCHIVE_NO_PROMPT) {
          throw new UsageError(`profile "${name}" signs in with a device code, which needs a person (CI/ARCHIVE_NO_PROMPT is set)`, {
            hint: 'in CI use a service principal (`--auth service-principal`) or a SAS; or unset CI to sign in interactively',
          });
        }
        auth = { type: 'device-code', tenantId: s('tenantId'), clientId: s('clientId'), authorityHost: s('authorityHost') };
        break;
      case 'anonymous':
        auth = { type: 'anonymous' };
        break;
      default:
        auth = { type: 'default' };
    }
  }
  return { provider: 'azure', account, serviceUrl, container, prefix: joinPrefix(p.prefix, rest), auth, layout: p.layout, profile: name };
}

function s3Target(name: string, p: S3Profile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  let bucket = p.bucket ?? '';
  let rest = prefix;
  if (!bucket) ({ first: bucket, rest } = splitFirst(prefix));
  const d = s3Defaults(opts, env);
  const endpoint = d.endpoint ?? p.endpoint;
  const { auth: a } = effectiveAuth(p, env);
  const s = (k: string) => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : undefined);
  let auth: S3Auth;
  switch (p.auth.type) {
    case 'keys': {
      const accessKeyId = s('accessKeyId');
      const secretAccessKey = s('secretAccessKey');
      if (!accessKeyId) throw missing(name, 'access key id', 'accessKeyId', 'keys');
      if (!secretAccessKey) throw missing(name, 'secret access key', 'secretAccessKey', 'keys');
      auth = { type: 'keys', accessKeyId, secretAccessKey, sessionToken: s('sessionToken') };
      break;
    }
    case 'assume-role': {
      const roleArn = s('roleArn');
      if (!roleArn) throw missing(name, 'role ARN', 'roleArn', 'assume-role');
      auth = { type: 'assume-role', roleArn, externalId: s('externalId'), sessionName: s('sessionName'), profile: s('awsProfile') };
      break;
    }
    default: {
      const profile = s('awsProfile');
      auth = profile ? { type: 'chain', profile } : { type: 'chain' };
    }
  }
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
  };
}

export function profileTarget(name: string, p: Profile, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  return p.provider === 'azure' ? azureTarget(name, p, prefix, opts, env) : s3Target(name, p, prefix, opts, env);
}

/** The location a profile points at, for display (no credential in it). */
export function profileLocation(p: Profile): string {
  const pre = p.prefix ? `/${p.prefix}` : '';
  if (p.provider === 'azure') return `az://${p.account}${p.container ? `/${p.container}${pre}` : ''}`;
  return `s3://${p.bucket ?? ''}${p.bucket ? pre : ''}`;
}
