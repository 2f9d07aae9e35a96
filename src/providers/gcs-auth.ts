/**
 * OAuth 2.0 access tokens for Google Cloud Storage, on node:crypto and http-get.ts, no
 * google-auth-library:
 *  - a service-account key file: an RS256-signed JWT (RFC 7523 bearer grant) exchanged at the
 *    key's token_uri (Google's "Using OAuth 2.0 for Server to Server Applications");
 *  - an authorized_user file (`gcloud auth application-default login`): its refresh token;
 *  - the metadata server on GCE/GKE/Cloud Run (GCE_METADATA_HOST overrides its address).
 * Application Default Credentials look in that order: GOOGLE_APPLICATION_CREDENTIALS, the gcloud
 * ADC file (CLOUDSDK_CONFIG or ~/.config/gcloud, %APPDATA%\gcloud on Windows), the metadata server.
 *
 * Why by hand: the grants are one signature and one POST each; google-auth-library brings gaxios,
 * gtoken, jws, google-logging-utils and more into node_modules (not installed here) for the same
 * two requests. Workload identity federation (`external_account` files) is not implemented: such a
 * file is refused with a hint.
 *
 * Tokens are SECRET: they are registered for redaction and never reach a message.
 */
import { createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { bodyText, get, splitUrl } from './http-get.js';
import type { GcsAuth } from './target-types.js';

/** Read, list, create and delete objects (what validate's probes and `pull` need). */
export const GCS_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write';
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** A token is renewed when less than this is left. */
const RENEW_MS = 5 * 60_000;

export interface AccessToken {
  token: string;
  expiresAt: number;
}

interface KeyFile {
  type?: string;
  client_email?: string;
  private_key?: string;
  private_key_id?: string;
  token_uri?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
  quota_project_id?: string;
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** The signed JWT of a service account's bearer grant (RFC 7523), valid one hour from `now`. */
export function serviceAccountJwt(key: KeyFile, scope: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, scope, aud: key.token_uri ?? GOOGLE_TOKEN_URI, iat, exp: iat + 3600 };
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const sig = createSign('RSA-SHA256').update(unsigned).sign(key.private_key!);
  return `${unsigned}.${sig.toString('base64url')}`;
}

function noCredential(message: string, hint?: string, cause?: unknown): AuthError {
  return new AuthError(message, {
    serviceCode: 'CredentialsProviderError',
    hint:
      hint ??
      'set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run `gcloud auth application-default login`, or use HMAC keys (archive profile add … --auth hmac)',
    cause,
  });
}

async function postForm(uri: string, form: Record<string, string>): Promise<AccessToken> {
  const body = Buffer.from(new URLSearchParams(form).toString());
  const { origin, path } = splitUrl(uri);
  const res = await get(
    {
      origin,
      path,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), 'user-agent': 'archive-cli' },
    },
    'standard',
  );
  return tokenAnswer(res.status, await bodyText(res.body), `the token endpoint ${origin}`);
}

function tokenAnswer(status: number, text: string, who: string): AccessToken {
  let json: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported below by status
  }
  if (status < 200 || status >= 300 || !json.access_token) {
    // The error code and description are Google's words about the grant, never the assertion.
    const why = [json.error, json.error_description].filter(Boolean).join(': ') || `HTTP ${status}`;
    throw new AuthError(`${who} refused the credential (${why})`, {
      serviceCode: json.error ?? 'InvalidToken',
      status,
      hint: 'check the key file (a deleted or disabled key is refused: make a new one with `gcloud iam service-accounts keys create`) or run `gcloud auth application-default login` again',
    });
  }
  registerSecret(json.access_token);
  return { token: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
}

async function readKeyFile(path: string, what: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw noCredential(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, undefined, e);
  }
  try {
    return JSON.parse(text) as KeyFile;
  } catch (e) {
    throw noCredential(`${what} ${path} is not JSON`, 'give the JSON key file Google made (IAM → Service accounts → Keys)', e);
  }
}

/** A token source for one credential file (service_account or authorized_user). */
function fromKeyFile(key: KeyFile, path: string): () => Promise<AccessToken> {
  if (key.type === 'service_account') {
    if (!key.client_email || !key.private_key) throw noCredential(`the service-account key ${path} has no client_email or private_key`);
    return () =>
      postForm(key.token_uri ?? GOOGLE_TOKEN_URI, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: serviceAccountJwt(key, GCS_SCOPE),
      });
  }
  if (key.type === 'authorized_user') {
    if (!key.client_id || !key.client_secret || !key.refresh_token) throw noCredential(`the credentials file ${path} has no refresh token`);
    if (key.client_secret) registerSecret(key.client_secret);
    registerSecret(key.refresh_token);
    return () =>
      postForm(key.token_uri ?? GOOGLE_TOKEN_URI, {
        grant_type: 'refresh_token',
        client_id: key.client_id!,
        client_secret: key.client_secret!,
        refresh_token: key.refresh_token!,
      });
  }
  throw noCredential(
    `the credentials file ${path} is of type "${key.type ?? '?'}", which archive does not read`,
    'give a service-account key (type service_account) or the file of `gcloud auth application-default login`; workload identity federation (external_account) is not supported: use HMAC keys instead',
  );
}

/** The metadata server's token (GCE, GKE, Cloud Run). */
function fromMetadataServer(env: NodeJS.ProcessEnv): () => Promise<AccessToken> {
  const host = env.GCE_METADATA_HOST || env.GCE_METADATA_IP || '169.254.169.254';
  return async () => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 3000);
    try {
      const res = await get(
        {
          origin: `http://${host}`,
          path: `/computeMetadata/v1/instance/service-accounts/default/token?scopes=${encodeURIComponent(GCS_SCOPE)}`,
          headers: { 'metadata-flavor': 'Google', 'user-agent': 'archive-cli' },
        },
        'standard',
        ac.signal,
      );
      return tokenAnswer(res.status, await bodyText(res.body), 'the metadata server');
    } catch (e) {
      if (e instanceof AuthError) throw e;
      throw noCredential(
        'no Google credential: no GOOGLE_APPLICATION_CREDENTIALS, no gcloud ADC file, and no metadata server answered',
        undefined,
        e,
      );
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Where `gcloud auth application-default login` writes its file. */
export function gcloudAdcPath(env: NodeJS.ProcessEnv): string {
  const dir =
    env.CLOUDSDK_CONFIG ||
    (process.platform === 'win32' && env.APPDATA ? join(env.APPDATA, 'gcloud') : join(homedir(), '.config', 'gcloud'));
  return join(dir, 'application_default_credentials.json');
}

async function adc(env: NodeJS.ProcessEnv): Promise<() => Promise<AccessToken>> {
  const explicit = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (explicit) return fromKeyFile(await readKeyFile(explicit, 'GOOGLE_APPLICATION_CREDENTIALS'), explicit);
  const gcloud = gcloudAdcPath(env);
  const key = await readFile(gcloud, 'utf8').then(
    (t) => t,
    () => undefined,
  );
  if (key !== undefined) return fromKeyFile(await readKeyFile(gcloud, 'the gcloud credentials file'), gcloud);
  return fromMetadataServer(env);
}

/** A cached, self-renewing bearer token for an OAuth credential. */
export class GcsTokenSource {
  private source?: Promise<() => Promise<AccessToken>>;
  private current?: Promise<AccessToken>;

  constructor(
    private readonly auth: Exclude<GcsAuth, { type: 'hmac' }>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private fetcher(): Promise<() => Promise<AccessToken>> {
    this.source ??=
      this.auth.type === 'service-account'
        ? readKeyFile(this.auth.keyFile, 'the service-account key file').then((k) =>
            fromKeyFile(k, (this.auth as { keyFile: string }).keyFile),
          )
        : adc(this.env);
    return this.source;
  }

  /**
   * `Bearer …`: renewed when less than five minutes are left; one grant in flight at a time (the
   * callers waiting on a grant that fails get its error; the next call asks again).
   */
  async authorization(): Promise<string> {
    const p = this.current;
    if (p) {
      let t: AccessToken;
      try {
        t = await p;
      } catch (e) {
        if (this.current === p) this.current = undefined;
        throw e;
      }
      if (t.expiresAt - Date.now() >= RENEW_MS) return `Bearer ${t.token}`;
      if (this.current !== p) return this.authorization();
    }
    const next = this.fetcher().then((f) => f());
    this.current = next;
    return `Bearer ${(await next).token}`;
  }
}
