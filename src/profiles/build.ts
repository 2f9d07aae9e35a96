/**
 * `profile add`: flags, environment, a location and (on a terminal only) answers to prompts →
 * a Profile to store. Every value has a flag and most an environment variable, so CI never
 * waits on a prompt; secrets come from --secret-stdin, --secret-file, the environment or a hidden
 * prompt — never necessarily from argv.
 */
import { UsageError } from '../errors.js';
import { parseLocation, type Location } from '../location.js';
import { parseConnectionString } from '../target.js';
import { layoutNames } from '../layouts/index.js';
import { registerSecret } from '../redact.js';
import { parseSas } from '../sas/parse.js';
import { AZURE_AUTH_TYPES, S3_AUTH_TYPES, type AuthType, type AzureProfile, type Profile, type S3Profile } from './types.js';
import { canPrompt, promptChoice, promptSecret, promptText, readSecretFile, readStdinSecret } from './prompt.js';

export interface AddFlags {
  auth?: string;
  account?: string;
  container?: string;
  bucket?: string;
  prefix?: string;
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  sas?: string;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
  accessKeyId?: string;
  awsProfile?: string;
  roleArn?: string;
  externalId?: string;
  sessionName?: string;
  secretStdin?: boolean;
  secretFile?: string;
  sessionTokenFile?: string;
  /** commander: --no-store-secret sets this to false */
  storeSecret?: boolean;
  layout?: string;
  description?: string;
}

/** Injected so tests can drive the builder without a terminal. */
export interface Inputs {
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  readStdin: () => Promise<string>;
  readFile: (path: string) => Promise<string>;
  ask: (q: string, def?: string) => Promise<string>;
  askSecret: (q: string) => Promise<string>;
  choose: <T extends string>(q: string, choices: readonly T[], def?: T) => Promise<T>;
}

export function terminalInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  return {
    env,
    interactive: canPrompt(env),
    readStdin: readStdinSecret,
    readFile: readSecretFile,
    ask: promptText,
    askSecret: promptSecret,
    choose: promptChoice,
  };
}

const AZURE_HINT_TYPES = AZURE_AUTH_TYPES.join(', ');
const S3_HINT_TYPES = S3_AUTH_TYPES.join(', ');

export interface BuiltProfile {
  profile: Profile;
  /** Where each value came from, for the confirmation line (never the value of a secret). */
  notes: string[];
}

export async function buildProfile(name: string, location: string | undefined, flags: AddFlags, io: Inputs): Promise<BuiltProfile> {
  const env = io.env;
  const notes: string[] = [];
  let loc: Location | undefined;
  if (location) {
    loc = parseLocation(location);
    if (loc.provider === 'profile') {
      throw new UsageError(`a profile cannot point at another profile ("${location}")`, {
        hint: 'give az://ACCOUNT/CONTAINER/PREFIX, a blob URL (SAS ok) or s3://BUCKET/PREFIX',
      });
    }
  }
  if (flags.layout && !layoutNames().includes(flags.layout)) {
    throw new UsageError(`unknown layout "${flags.layout}"`, { hint: `layouts: ${layoutNames().join(', ')}` });
  }

  // provider
  const type = flags.auth as AuthType | undefined;
  if (type && !(AZURE_AUTH_TYPES as readonly string[]).includes(type) && !(S3_AUTH_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--auth: unknown credential type "${type}"`, { hint: `Azure: ${AZURE_HINT_TYPES}; S3: ${S3_HINT_TYPES}` });
  }
  let provider: 'azure' | 's3' | undefined = loc?.provider as 'azure' | 's3' | undefined;
  if (!provider && type) provider = (AZURE_AUTH_TYPES as readonly string[]).includes(type) ? 'azure' : 's3';
  if (!provider && (flags.bucket || flags.accessKeyId || flags.roleArn || flags.awsProfile)) provider = 's3';
  if (!provider && (flags.account || flags.container || flags.tenantId || flags.sas)) provider = 'azure';
  if (!provider) {
    if (!io.interactive) {
      throw new UsageError('what should the profile point at? give a LOCATION (or --auth/--account/--bucket)', {
        hint: `e.g. archive profile add ${name} az://ACCOUNT/CONTAINER --auth key --secret-stdin, or archive profile add ${name} s3://BUCKET --auth chain`,
      });
    }
    provider = await io.choose('storage', ['azure', 's3'] as const, 'azure');
  }
  if (type) {
    const ok =
      provider === 'azure' ? (AZURE_AUTH_TYPES as readonly string[]).includes(type) : (S3_AUTH_TYPES as readonly string[]).includes(type);
    if (!ok)
      throw new UsageError(`--auth ${type} is not a credential type for ${provider === 'azure' ? 'Azure' : 'S3'}`, {
        hint: `use one of: ${provider === 'azure' ? AZURE_HINT_TYPES : S3_HINT_TYPES}`,
      });
  }

  const storeSecret = flags.storeSecret !== false;
  let secretUsed = false;
  /** The secret from --secret-file, --secret-stdin, the environment or a hidden prompt (in that order). */
  const secret = async (what: string, envVars: string[], flagHint: string): Promise<string | undefined> => {
    if (flags.secretFile && !secretUsed) {
      secretUsed = true;
      notes.push(`${what} read from ${flags.secretFile}`);
      return io.readFile(flags.secretFile);
    }
    if (flags.secretStdin && !secretUsed) {
      secretUsed = true;
      notes.push(`${what} read from stdin`);
      return io.readStdin();
    }
    for (const v of envVars) {
      if (env[v]) {
        notes.push(`${what} taken from ${v}`);
        return env[v];
      }
    }
    if (!storeSecret) return undefined;
    if (io.interactive) return io.askSecret(what);
    throw new UsageError(`no ${what} given`, {
      hint: `pipe it in with --secret-stdin, use --secret-file FILE, set ${envVars.join(' or ')}${flagHint ? `, ${flagHint}` : ''}; or save the profile with --no-store-secret and provide ${envVars[0]} at use time`,
    });
  };
  const value = async (
    what: string,
    flag: string,
    given: string | undefined,
    envVars: string[],
    required: boolean,
    def?: string,
  ): Promise<string | undefined> => {
    if (given) return given;
    for (const v of envVars) if (env[v]) return env[v];
    if (io.interactive) {
      const a = await io.ask(what + (required ? '' : ' (optional)'), def);
      if (a || !required) return a || undefined;
    }
    if (def) return def;
    if (!required) return undefined;
    throw new UsageError(`no ${what} given`, { hint: `pass ${flag}${envVars.length ? ` or set ${envVars.join(' or ')}` : ''}` });
  };
  const keep = (s: string | undefined) => (storeSecret ? s : undefined);

  const now = new Date().toISOString();
  if (provider === 'azure') {
    const al = loc?.provider === 'azure' ? loc : undefined;
    let auth = type as (typeof AZURE_AUTH_TYPES)[number] | undefined;
    if (!auth) {
      if (al?.sas || flags.sas) auth = 'sas';
      else if (flags.tenantId && flags.clientId && (flags.secretStdin || flags.secretFile)) auth = 'service-principal';
      else if (io.interactive) auth = await io.choose('credential', AZURE_AUTH_TYPES, 'default');
      else {
        auth = 'default';
        notes.push('no --auth given: using the default Azure credential chain (environment, managed identity, Azure CLI login)');
      }
    }
    let csParts: ReturnType<typeof parseConnectionString> | undefined;
    let connectionString: string | undefined;
    if (auth === 'connection-string') {
      connectionString = await secret('connection string', ['AZURE_STORAGE_CONNECTION_STRING'], '');
      if (connectionString) {
        csParts = parseConnectionString(connectionString);
        if (!csParts.accountKey && !csParts.sas) {
          throw new UsageError('the connection string has neither AccountKey nor SharedAccessSignature', {
            hint: 'copy it from the portal: Storage account → Access keys',
          });
        }
        registerSecret(csParts.accountKey);
      }
    }
    const account =
      al?.account ??
      flags.account ??
      csParts?.accountName ??
      (await value('storage account name', '--account', undefined, ['AZURE_STORAGE_ACCOUNT'], true));
    if (!account || !/^[a-z0-9]{3,24}$/.test(account)) {
      throw new UsageError(`"${account}" is not a storage account name`, { hint: 'account names are 3-24 lowercase letters and digits' });
    }
    let serviceUrl =
      flags.endpoint ??
      (al && !location?.startsWith('az://') ? al.serviceUrl : undefined) ??
      csParts?.blobEndpoint ??
      `https://${account}.blob.core.windows.net`;
    try {
      const u = new URL(serviceUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
      serviceUrl = serviceUrl.replace(/\/+$/, '');
    } catch {
      throw new UsageError(`--endpoint: "${serviceUrl}" is not an http(s) URL`, {
        hint: 'e.g. https://ACCOUNT.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1',
      });
    }
    const container = flags.container ?? (al?.container || undefined);
    const prefix = flags.prefix ?? (al?.prefix || undefined);
    let a: AzureProfile['auth'];
    switch (auth) {
      case 'sas': {
        let token = al?.sas ?? flags.sas;
        if (token) notes.push(al?.sas ? 'SAS taken from the URL' : 'SAS taken from --sas');
        else token = await secret('SAS token', ['AZURE_STORAGE_SAS_TOKEN'], '');
        if (token) {
          token = token.trim();
          // A whole URL pasted into --secret-stdin: keep only the token.
          const info = parseSas(token);
          token = token.includes('?') ? token.slice(token.indexOf('?') + 1) : token;
          registerSecret(new URLSearchParams(token).get('sig') ?? undefined);
          if (info.expiry && info.expiry.getTime() <= Date.now())
            notes.push(`warning: this SAS already expired (${info.expiry.toISOString()})`);
        }
        a = { type: 'sas', token: keep(token) };
        break;
      }
      case 'key': {
        const accountKey = await secret('account key', ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY'], '');
        if (accountKey !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(accountKey.trim())) {
          throw new UsageError('the account key is not base64', {
            hint: 'copy key1 or key2 from the portal: Storage account → Access keys',
          });
        }
        registerSecret(accountKey);
        a = { type: 'key', accountKey: keep(accountKey?.trim()) };
        break;
      }
      case 'connection-string':
        a = { type: 'connection-string', connectionString: keep(connectionString) };
        break;
      case 'service-principal': {
        const tenantId = await value('tenant id', '--tenant-id', flags.tenantId, ['AZURE_TENANT_ID'], true);
        const clientId = await value('client (application) id', '--client-id', flags.clientId, ['AZURE_CLIENT_ID'], true);
        const clientSecret = await secret('client secret', ['AZURE_CLIENT_SECRET'], '');
        registerSecret(clientSecret);
        const authorityHost = checkAuthority(flags.authorityHost ?? env.AZURE_AUTHORITY_HOST);
        a = { type: 'service-principal', tenantId, clientId, clientSecret: keep(clientSecret), authorityHost };
        break;
      }
      case 'device-code': {
        // The tenant that invited you (e.g. Vespa Cloud's) — a guest must sign in there, not at home.
        const tenantId = await value(
          'tenant id of the directory that invited you',
          '--tenant-id',
          flags.tenantId,
          ['AZURE_TENANT_ID'],
          false,
        );
        const clientId = flags.clientId ?? env.AZURE_CLIENT_ID;
        a = { type: 'device-code', tenantId, clientId, authorityHost: checkAuthority(flags.authorityHost ?? env.AZURE_AUTHORITY_HOST) };
        break;
      }
      case 'anonymous':
        a = { type: 'anonymous' };
        break;
      default:
        a = { type: 'default' };
    }
    const profile: AzureProfile = {
      provider: 'azure',
      account,
      serviceUrl,
      container,
      prefix,
      auth: a,
      layout: flags.layout,
      description: flags.description,
      created: now,
      updated: now,
    };
    return { profile: prune(profile), notes };
  }

  // S3
  const sl = loc?.provider === 's3' ? loc : undefined;
  let auth = type as (typeof S3_AUTH_TYPES)[number] | undefined;
  if (!auth) {
    if (flags.roleArn) auth = 'assume-role';
    else if (flags.accessKeyId) auth = 'keys';
    else if (io.interactive) auth = await io.choose('credential', S3_AUTH_TYPES, 'chain');
    else {
      auth = 'chain';
      notes.push('no --auth given: using the AWS default credential chain (environment, ~/.aws profiles, SSO, instance role)');
    }
  }
  const endpoint = flags.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`--endpoint: "${endpoint}" is not a URL`, {
        hint: 'e.g. https://ACCOUNT.r2.cloudflarestorage.com or http://127.0.0.1:9000',
      });
    }
  }
  let a: S3Profile['auth'];
  switch (auth) {
    case 'keys': {
      const accessKeyId = await value('access key id', '--access-key-id', flags.accessKeyId, ['AWS_ACCESS_KEY_ID'], true);
      const secretAccessKey = await secret('secret access key', ['AWS_SECRET_ACCESS_KEY'], '');
      registerSecret(secretAccessKey);
      let sessionToken = flags.sessionTokenFile ? await io.readFile(flags.sessionTokenFile) : env.AWS_SESSION_TOKEN;
      if (sessionToken) registerSecret(sessionToken);
      if (!storeSecret) sessionToken = undefined;
      a = { type: 'keys', accessKeyId, secretAccessKey: keep(secretAccessKey), sessionToken };
      break;
    }
    case 'assume-role': {
      const roleArn = await value('role ARN', '--role-arn', flags.roleArn, ['ARCHIVE_ROLE_ARN'], true);
      if (!roleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
        throw new UsageError(`--role-arn: "${roleArn}" is not an IAM role ARN`, {
          hint: 'it looks like arn:aws:iam::123456789012:role/NAME (the vendor shows it in its archive settings)',
        });
      }
      const externalId = await value('external id', '--external-id', flags.externalId, ['ARCHIVE_EXTERNAL_ID'], false);
      a = { type: 'assume-role', roleArn, externalId, sessionName: flags.sessionName, awsProfile: flags.awsProfile };
      break;
    }
    default:
      a = { type: 'chain', awsProfile: flags.awsProfile ?? env.AWS_PROFILE };
  }
  const profile: S3Profile = {
    provider: 's3',
    bucket: sl?.bucket || flags.bucket,
    prefix: flags.prefix ?? (sl?.prefix || undefined),
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint,
    forcePathStyle: flags.pathStyle || (endpoint ? true : undefined),
    auth: a,
    layout: flags.layout,
    description: flags.description,
    created: now,
    updated: now,
  };
  return { profile: prune(profile), notes };
}

function checkAuthority(host: string | undefined): string | undefined {
  if (!host) return undefined;
  let u: URL;
  try {
    u = new URL(host);
  } catch {
    throw new UsageError(`--authority-host: "${host}" is not a URL`, {
      hint: 'e.g. https://login.microsoftonline.us for Azure Government',
    });
  }
  if (u.protocol !== 'https:') throw new UsageError('--authority-host must be https', { hint: 'Entra ID only issues tokens over https' });
  return host.replace(/\/+$/, '');
}

/** Drops undefined fields so the file stays readable. */
function prune<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? prune(v as object) : v;
  }
  return out as T;
}
