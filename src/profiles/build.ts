/**
 * `profile add`: flags, environment, a location and (on a terminal only) answers to prompts →
 * a Profile to store. Every value has a flag and most an environment variable, so CI never
 * waits on a prompt; secrets come from --secret-stdin, --secret-file, the environment or a hidden
 * prompt — never necessarily from argv.
 */
import { resolve as resolvePath } from 'node:path';
import { checkAccountKey } from '../providers/account-key.js';
import { UsageError } from '../errors.js';
import { parseLocation, type Location } from '../location.js';
import { checkRequestPayer, checkUserProject } from '../target.js';
import { layoutNames } from '../layouts/index.js';
import { registerSecret } from '../redact.js';
import { parseSas } from '../sas/parse.js';
import { parseConnectionString, type ConnectionStringParts } from '../providers/azure-connection-string.js';
import { AZURE_FIELDS, type AzureAuthType } from '../providers/azure-credentials.js';
import { S3_FIELDS, type S3AuthType } from '../providers/s3-credentials.js';
import { GCS_FIELDS, type GcsAuthType } from '../providers/gcs-credentials.js';
import { authFields, credentialSecrets, envValue, firstEnv, type CredentialField } from '../providers/credentials.js';
import {
  AZURE_AUTH_TYPES,
  GCS_AUTH_TYPES,
  S3_AUTH_TYPES,
  type AuthType,
  type AzureProfile,
  type GcsProfile,
  type Profile,
  type S3Profile,
} from './types.js';
import { canPrompt, promptChoice, promptSecret, promptText, readSecretFile, readStdinSecret, type Terminal } from './prompt.js';

export interface AddFlags {
  auth?: string;
  account?: string;
  container?: string;
  bucket?: string;
  prefix?: string;
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  requestPayer?: string;
  userProject?: string;
  keyFile?: string;
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
  env: Readonly<NodeJS.ProcessEnv>;
  interactive: boolean;
  readStdin: () => Promise<string>;
  readFile: (path: string) => Promise<string>;
  ask: (q: string, def?: string) => Promise<string>;
  askSecret: (q: string) => Promise<string>;
  choose: <T extends string>(q: string, choices: readonly T[], def?: T) => Promise<T>;
}

/** Inputs from a terminal: `term` is the command's Io (its stdin, stderr and environment). */
export function terminalInputs(term: Terminal & { env: Readonly<NodeJS.ProcessEnv> }): Inputs {
  return {
    env: term.env,
    interactive: canPrompt(term.env, term),
    readStdin: () => readStdinSecret(term),
    readFile: readSecretFile,
    ask: (q, def) => promptText(term, q, def),
    askSecret: (q) => promptSecret(term, q),
    choose: (q, choices, def) => promptChoice(term, q, choices, def),
  };
}

const AZURE_HINT_TYPES = AZURE_AUTH_TYPES.join(', ');
const S3_HINT_TYPES = S3_AUTH_TYPES.join(', ');
const isAzureType = (t: string) => (AZURE_AUTH_TYPES as readonly string[]).includes(t);
const isS3Type = (t: string) => (S3_AUTH_TYPES as readonly string[]).includes(t);
const GCS_HINT_TYPES = GCS_AUTH_TYPES.join(', ');
const isGcsType = (t: string) => (GCS_AUTH_TYPES as readonly string[]).includes(t);
type Provider = 'azure' | 's3' | 'gcs';
const PROVIDER_NAME: Record<Provider, string> = { azure: 'Azure', s3: 'S3', gcs: 'Cloud Storage' };
const typesOf = (p: Provider) => (p === 'azure' ? AZURE_HINT_TYPES : p === 's3' ? S3_HINT_TYPES : GCS_HINT_TYPES);
const isTypeOf = (p: Provider, t: string) => (p === 'azure' ? isAzureType(t) : p === 's3' ? isS3Type(t) : isGcsType(t));

export interface BuiltProfile {
  profile: Profile;
  /** Where each value came from, for the confirmation line (never the value of a secret). */
  notes: string[];
}

type AzureLocation = Extract<Location, { provider: 'azure' }>;
type S3Location = Extract<Location, { provider: 's3' }>;

/**
 * Steps, each a function below: read the location, check the layout, pick the provider and the
 * credential type, gather the type's fields as its credential table declares them, then the
 * provider's location settings. Throws UsageError (exit 2) for anything missing or malformed.
 */
export async function buildProfile(name: string, location: string | undefined, flags: AddFlags, io: Inputs): Promise<BuiltProfile> {
  const loc = profileLocationArg(location);
  checkLayout(flags.layout);
  const type = checkedAuthType(flags.auth);
  const provider = await chooseProvider(name, loc, type, flags, io);
  const g = new Gatherer(flags, io);
  const now = new Date().toISOString();
  const common = { layout: flags.layout, description: flags.description, created: now, updated: now };
  if (provider !== 'gcs' && flags.userProject !== undefined) {
    throw new UsageError('--user-project is for Cloud Storage (gs://) profiles', {
      hint: provider === 's3' ? 'S3 requester pays is --request-payer requester' : 'drop --user-project for an Azure location',
    });
  }
  if (provider === 'gcs') {
    if (flags.requestPayer !== undefined) {
      throw new UsageError('--request-payer is for S3 profiles: Cloud Storage bills the project given by --user-project', {
        hint: 'use --user-project PROJECT for a gs:// profile',
      });
    }
    const gl = loc?.provider === 'gcs' ? loc : undefined;
    const profile = await gcsProfile(gl, type as GcsAuthType | undefined, g);
    return { profile: prune({ ...profile, ...common }), notes: g.notes };
  }
  if (provider === 'azure') {
    if (flags.requestPayer !== undefined) {
      throw new UsageError('--request-payer is for S3 profiles: Azure Blob Storage has no requester pays', {
        hint: 'drop --request-payer for an Azure location (the storage account owner pays for its requests)',
      });
    }
    const al = loc?.provider === 'azure' ? loc : undefined;
    const profile = await azureProfile(location, al, type as AzureAuthType | undefined, g);
    return { profile: prune({ ...profile, ...common }), notes: g.notes };
  }
  const sl = loc?.provider === 's3' ? loc : undefined;
  const profile = await s3Profile(sl, type as S3AuthType | undefined, g);
  return { profile: prune({ ...profile, ...common }), notes: g.notes };
}

function profileLocationArg(location: string | undefined): Location | undefined {
  if (!location) return undefined;
  const loc = parseLocation(location);
  if (loc.provider === 'profile') {
    throw new UsageError(`a profile cannot point at another profile ("${location}")`, {
      hint: 'give az://ACCOUNT/CONTAINER/PREFIX, a blob URL (SAS ok) or s3://BUCKET/PREFIX',
    });
  }
  return loc;
}

function checkLayout(layout: string | undefined): void {
  if (layout && !layoutNames().includes(layout)) {
    throw new UsageError(`unknown layout "${layout}"`, { hint: `layouts: ${layoutNames().join(', ')}` });
  }
}

function checkedAuthType(auth: string | undefined): AuthType | undefined {
  if (auth && !isAzureType(auth) && !isS3Type(auth) && !isGcsType(auth)) {
    throw new UsageError(`--auth: unknown credential type "${auth}"`, {
      hint: `Azure: ${AZURE_HINT_TYPES}; S3: ${S3_HINT_TYPES}; Cloud Storage: ${GCS_HINT_TYPES}`,
    });
  }
  return auth as AuthType | undefined;
}

/** The location's provider, else the one --auth or the other flags imply, else (on a terminal) asked. */
async function chooseProvider(
  name: string,
  loc: Location | undefined,
  type: AuthType | undefined,
  flags: AddFlags,
  io: Inputs,
): Promise<Provider> {
  let provider = loc?.provider as Provider | undefined;
  if (!provider && type) provider = isAzureType(type) ? 'azure' : isGcsType(type) ? 'gcs' : 's3';
  if (!provider && (flags.userProject || flags.keyFile)) provider = 'gcs';
  if (!provider && (flags.bucket || flags.accessKeyId || flags.roleArn || flags.awsProfile || flags.requestPayer)) provider = 's3';
  if (!provider && (flags.account || flags.container || flags.tenantId || flags.sas)) provider = 'azure';
  if (!provider) {
    if (!io.interactive) {
      throw new UsageError('what should the profile point at? give a LOCATION (or --auth/--account/--bucket)', {
        hint: `e.g. archive profile add ${name} az://ACCOUNT/CONTAINER --auth key --secret-stdin, or archive profile add ${name} s3://BUCKET --auth chain`,
      });
    }
    provider = await io.choose('storage', ['azure', 's3', 'gcs'] as const, 'azure');
  }
  if (type && !isTypeOf(provider, type)) {
    throw new UsageError(`--auth ${type} is not a credential type for ${PROVIDER_NAME[provider]}`, {
      hint: `use one of: ${typesOf(provider)}`,
    });
  }
  return provider;
}

/** The AddFlags property commander fills for a field's flag: `--tenant-id <id>` → tenantId. */
function flagKey(spec: CredentialField): keyof AddFlags | undefined {
  const long = spec.flag?.spec.split(' ')[0];
  return long ? (long.replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()) as keyof AddFlags) : undefined;
}

/**
 * Where values come from during one `profile add`, with the notes saying so. One secret per run
 * comes from --secret-file or --secret-stdin; the rest from flags, the environment or prompts.
 */
class Gatherer {
  readonly notes: string[] = [];
  readonly storeSecret: boolean;
  private secretUsed = false;
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly flags: AddFlags,
    readonly io: Inputs,
  ) {
    this.storeSecret = flags.storeSecret !== false;
    this.env = io.env;
  }

  /** The secret from --secret-file, --secret-stdin, the environment or a hidden prompt (in that order). */
  async secret(what: string, envVars: readonly string[]): Promise<string | undefined> {
    const { flags, io } = this;
    if (flags.secretFile && !this.secretUsed) {
      this.secretUsed = true;
      this.notes.push(`${what} read from ${flags.secretFile}`);
      return io.readFile(flags.secretFile);
    }
    if (flags.secretStdin && !this.secretUsed) {
      this.secretUsed = true;
      this.notes.push(`${what} read from stdin`);
      return io.readStdin();
    }
    const found = firstEnv(envVars, this.env);
    if (found) {
      this.notes.push(`${what} taken from ${found.name}`);
      return found.value;
    }
    if (!this.storeSecret) return undefined;
    if (io.interactive) return io.askSecret(what);
    throw new UsageError(`no ${what} given`, {
      hint: `pipe it in with --secret-stdin, use --secret-file FILE, set ${envVars.join(' or ')}; or save the profile with --no-store-secret and provide ${envVars[0]} at use time`,
    });
  }

  /** A non-secret value: the flag, the environment, a prompt (terminal only); missing and required is a usage error. */
  async value(
    what: string,
    flag: string,
    given: string | undefined,
    envVars: readonly string[],
    required: boolean,
  ): Promise<string | undefined> {
    if (given) return given;
    const found = envValue(envVars, this.env);
    if (found) return found;
    if (this.io.interactive) {
      const a = await this.io.ask(what + (required ? '' : ' (optional)'));
      if (a || !required) return a || undefined;
    }
    if (!required) return undefined;
    throw new UsageError(`no ${what} given`, { hint: `pass ${flag}${envVars.length ? ` or set ${envVars.join(' or ')}` : ''}` });
  }

  /** What is saved of a secret: nothing with --no-store-secret. */
  keep(s: string | undefined): string | undefined {
    return this.storeSecret ? s : undefined;
  }

  /** One field of a credential type, gathered as its table entry says (see FieldUse). */
  async field(f: { name: string; use: string; question?: string; spec: CredentialField }): Promise<string | undefined> {
    const what = f.question ?? f.spec.question ?? f.spec.label;
    const key = flagKey(f.spec);
    const given = key ? (this.flags[key] as string | undefined) : undefined;
    if (f.spec.secret) {
      // A secret's flag names a file (--session-token-file); never the secret itself in argv.
      if (f.use === 'required') return this.secret(what, f.spec.env);
      return given ? this.io.readFile(given) : envValue(f.spec.env, this.env);
    }
    if (f.use === 'required' || f.use === 'optional')
      return this.value(what, f.spec.flag?.spec.split(' ')[0] ?? '', given, f.spec.env, f.use === 'required');
    if (f.use === 'quiet') return given ?? envValue(f.spec.env, this.env);
    return given;
  }
}

/**
 * Checks and normalisation a field gets in `profile add`, beyond presence: whether the key is
 * base64, the role an IAM ARN, the authority https. Returns what to save.
 */
const FIELD_CHECKS: Partial<Record<string, (v: string | undefined, g: Gatherer) => string | undefined>> = {
  token: (v, g) => (v ? normaliseSas(v, g) : v),
  accountKey: (v) => (v === undefined ? v : checkAccountKey(v)),
  authorityHost: (v) => checkAuthority(v),
  roleArn: (v) => {
    if (!v || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v)) {
      throw new UsageError(`--role-arn: "${v}" is not an IAM role ARN`, {
        hint: 'it looks like arn:aws:iam::123456789012:role/NAME (the vendor shows it in its archive settings)',
      });
    }
    return v;
  },
};

/** A whole URL pasted into --secret-stdin keeps only its token; an already expired SAS gets a warning. */
function normaliseSas(raw: string, g: Gatherer): string {
  const trimmed = raw.trim();
  const info = parseSas(trimmed);
  const token = trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?') + 1) : trimmed;
  if (info.expiry && info.expiry.getTime() <= Date.now()) g.notes.push(`warning: this SAS already expired (${info.expiry.toISOString()})`);
  return token;
}

/**
 * The fields of credential type `type`, in table order: each gathered (unless `preset` has it),
 * checked, its secrets registered for redaction, secrets dropped with --no-store-secret.
 */
async function credentialFields(
  type: string,
  g: Gatherer,
  preset: Record<string, string | undefined> = {},
): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const f of authFields(type)) {
    let v = Object.hasOwn(preset, f.name) ? preset[f.name] : await g.field(f);
    const check = FIELD_CHECKS[f.name];
    if (check) v = check(v, g);
    if (f.spec.secret && v) {
      for (const s of credentialSecrets(type, { [f.name]: v })) registerSecret(s);
      v = g.keep(v);
    }
    out[f.name] = v;
  }
  return out;
}

/** Without --auth: what the location or flags imply, else asked on a terminal, else the default chain. */
async function chooseAzureAuth(al: AzureLocation | undefined, g: Gatherer): Promise<AzureAuthType> {
  const { flags, io } = g;
  if (al?.sas || flags.sas) return 'sas';
  if (flags.tenantId && flags.clientId && (flags.secretStdin || flags.secretFile)) return 'service-principal';
  if (io.interactive) return io.choose('credential', AZURE_AUTH_TYPES, 'default');
  g.notes.push('no --auth given: using the default Azure credential chain (environment, managed identity, Azure CLI login)');
  return 'default';
}

/** A connection string is read first: it names the account and endpoint the other steps default to. */
async function readConnectionString(g: Gatherer): Promise<{ value?: string; parts?: ConnectionStringParts }> {
  const F = AZURE_FIELDS.connectionString;
  const value = await g.secret(F.label, F.env);
  if (!value) return {};
  const parts = parseConnectionString(value);
  if (!parts.accountKey && !parts.sas) {
    throw new UsageError('the connection string has neither AccountKey nor SharedAccessSignature', {
      hint: 'copy it from the portal: Storage account → Access keys',
    });
  }
  return { value, parts };
}

async function azureAccount(al: AzureLocation | undefined, cs: ConnectionStringParts | undefined, g: Gatherer): Promise<string> {
  const F = AZURE_FIELDS.account;
  const account = al?.account ?? g.flags.account ?? cs?.accountName ?? (await g.value(F.label, '--account', undefined, F.env, true));
  if (!account || !/^[a-z0-9]{3,24}$/.test(account)) {
    throw new UsageError(`"${account}" is not a storage account name`, { hint: 'account names are 3-24 lowercase letters and digits' });
  }
  return account;
}

/** --endpoint, else a blob URL's own host, else the connection string's, else the public cloud's. */
function azureServiceUrl(
  location: string | undefined,
  al: AzureLocation | undefined,
  cs: ConnectionStringParts | undefined,
  account: string,
  endpoint: string | undefined,
): string {
  const serviceUrl =
    endpoint ??
    (al && !location?.startsWith('az://') ? al.serviceUrl : undefined) ??
    cs?.blobEndpoint ??
    `https://${account}.blob.core.windows.net`;
  try {
    const u = new URL(serviceUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    return serviceUrl.replace(/\/+$/, '');
  } catch {
    throw new UsageError(`--endpoint: "${serviceUrl}" is not an http(s) URL`, {
      hint: 'e.g. https://ACCOUNT.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1',
    });
  }
}

/** The SAS a SAS URL or --sas already gives: no secret to read then. */
function givenSas(al: AzureLocation | undefined, g: Gatherer): Record<string, string | undefined> {
  const token = al?.sas ?? g.flags.sas;
  if (!token) return {};
  g.notes.push(al?.sas ? 'SAS taken from the URL' : 'SAS taken from --sas');
  return { token };
}

async function azureProfile(
  location: string | undefined,
  al: AzureLocation | undefined,
  type: AzureAuthType | undefined,
  g: Gatherer,
): Promise<AzureProfile> {
  const auth = type ?? (await chooseAzureAuth(al, g));
  const cs = auth === 'connection-string' ? await readConnectionString(g) : {};
  const account = await azureAccount(al, cs.parts, g);
  const serviceUrl = azureServiceUrl(location, al, cs.parts, account, g.flags.endpoint);
  const preset = auth === 'connection-string' ? { connectionString: cs.value } : auth === 'sas' ? givenSas(al, g) : {};
  const fields = await credentialFields(auth, g, preset);
  return {
    provider: 'azure',
    account,
    serviceUrl,
    container: g.flags.container ?? (al?.container || undefined),
    prefix: g.flags.prefix ?? (al?.prefix || undefined),
    auth: { type: auth, ...fields } as AzureProfile['auth'],
  };
}

async function chooseS3Auth(g: Gatherer): Promise<S3AuthType> {
  const { flags, io } = g;
  if (flags.roleArn) return 'assume-role';
  if (flags.accessKeyId) return 'keys';
  if (io.interactive) return io.choose('credential', S3_AUTH_TYPES, 'chain');
  g.notes.push('no --auth given: using the AWS default credential chain (environment, ~/.aws profiles, SSO, instance role)');
  return 'chain';
}

function s3Endpoint(g: Gatherer): string | undefined {
  const endpoint = g.flags.endpoint ?? envValue(S3_FIELDS.endpoint.env, g.env);
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`--endpoint: "${endpoint}" is not a URL`, {
        hint: 'e.g. https://ACCOUNT.r2.cloudflarestorage.com or http://127.0.0.1:9000',
      });
    }
  }
  return endpoint;
}

async function s3Profile(sl: S3Location | undefined, type: S3AuthType | undefined, g: Gatherer): Promise<S3Profile> {
  const auth = type ?? (await chooseS3Auth(g));
  const endpoint = s3Endpoint(g);
  const fields = await credentialFields(auth, g);
  return {
    provider: 's3',
    bucket: sl?.bucket || g.flags.bucket,
    prefix: g.flags.prefix ?? (sl?.prefix || undefined),
    region: g.flags.region ?? envValue(S3_FIELDS.region.env, g.env),
    endpoint,
    forcePathStyle: g.flags.pathStyle || (endpoint ? true : undefined),
    requestPayer: checkRequestPayer(g.flags.requestPayer),
    auth: { type: auth, ...fields } as S3Profile['auth'],
  };
}

/** Without --auth: HMAC when an access id is given, a key file when one is, else asked on a terminal, else ADC. */
async function chooseGcsAuth(g: Gatherer): Promise<GcsAuthType> {
  const { flags, io } = g;
  if (flags.accessKeyId) return 'hmac';
  if (flags.keyFile) return 'service-account';
  if (io.interactive) return io.choose('credential', GCS_AUTH_TYPES, 'application-default');
  g.notes.push(
    'no --auth given: using Google Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the metadata server)',
  );
  return 'application-default';
}

async function gcsProfile(
  gl: Extract<Location, { provider: 'gcs' }> | undefined,
  type: GcsAuthType | undefined,
  g: Gatherer,
): Promise<GcsProfile> {
  const auth = type ?? (await chooseGcsAuth(g));
  const fields = await credentialFields(auth, g);
  if (fields.keyFile) fields.keyFile = resolvePath(fields.keyFile);
  const endpoint = g.flags.endpoint;
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`--endpoint: "${endpoint}" is not a URL`, {
        hint: 'Cloud Storage needs none: its XML API is https://storage.googleapis.com',
      });
    }
  }
  return {
    provider: 'gcs',
    bucket: gl?.bucket || g.flags.bucket,
    prefix: g.flags.prefix ?? (gl?.prefix || undefined),
    endpoint,
    userProject: checkUserProject(g.flags.userProject ?? envValue(GCS_FIELDS.userProject.env, g.env)),
    auth: { type: auth, ...fields } as GcsProfile['auth'],
  };
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
