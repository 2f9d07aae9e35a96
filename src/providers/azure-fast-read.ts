/**
 * Azure blob reads without the SDK pipeline: authorise once (the caller's SAS, or a short-lived
 * read-only SAS signed locally from the account key, or the Entra ID credential's bearer token),
 * then plain GETs through http-get.ts.
 *
 * Which credentials take it (see `azureReadAuthoriser`):
 *   sas, anonymous, key, connection string with a key or a SAS  → fast path
 *   service principal / device code / default chain            → fast path with the SDK's own
 *     credential's bearer token (cached by @azure/identity, asked again near expiry)
 *   connection string with neither (rare)                       → the SDK
 *
 * Error contract: `read` rejects with an object shaped like the SDK's RestError (statusCode,
 * code, details.errorCode, message from the XML body), with an HttpNetworkError, or with the
 * caller's AbortError, so `mapAzureError` maps it exactly as it maps SDK failures. No rejection
 * carries the SAS.
 */
import type { AzureHttpError } from './azure-list.js';
import type { Readable } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type BlobServiceClient,
} from '@azure/storage-blob';
import type { AzureTarget } from './target-types.js';
import { parseConnectionString } from './azure-connection-string.js';
import { errorBody, get, header, rangeMismatch, splitUrl, xmlField } from './http-get.js';
import type { ReadOptions } from './types.js';

/** A GA service version that has everything used here (x-ms-range, If-Match). */
const X_MS_VERSION = '2025-05-05';
/** Locally made SAS tokens live this long and are renewed when less than RENEW_MS is left. */
const SAS_LIFETIME_MS = 60 * 60_000;
const RENEW_MS = 15 * 60_000;

/** What authorises a read of the container's blobs right now: a query (no '?') and/or headers. SECRET. */
export interface Authorisation {
  query: string;
  headers?: Record<string, string>;
}
export type Authoriser = () => Promise<Authorisation>;

function fixed(token: string): Authoriser {
  const a = { query: token.replace(/^\?/, '') };
  return async () => a;
}

function renewing(make: (expiresOn: Date) => Promise<Authorisation>): Authoriser {
  let current: { q: Promise<Authorisation>; expires: number } | undefined;
  return () => {
    const now = Date.now();
    if (!current || current.expires - now < RENEW_MS) {
      const expires = now + SAS_LIFETIME_MS;
      const q = make(new Date(expires));
      current = { q, expires };
      q.catch(() => (current = undefined));
    }
    return current.q;
  };
}

function fromKey(container: string, accountName: string, accountKey: string): Authoriser {
  const cred = new StorageSharedKeyCredential(accountName, accountKey);
  return renewing(async (expiresOn) => ({
    query: generateBlobSASQueryParameters(
      { containerName: container, permissions: BlobSASPermissions.parse('r'), expiresOn, protocol: SASProtocol.HttpsAndHttp },
      cred,
    ).toString(),
  }));
}

/**
 * The SDK's own token credential: the same sign-in (one device-code prompt, one token cache) as the
 * listing. A token is reused until 5 minutes before it expires; getToken failures reject with the
 * identity errors mapAzureError already maps.
 */
function fromToken(credential: TokenCredential): Authoriser {
  let current: { a: Promise<Authorisation>; until: number } | undefined;
  return () => {
    if (!current || current.until < Date.now()) {
      const a = credential.getToken('https://storage.azure.com/.default').then((t) => {
        if (!t) throw Object.assign(new Error('no token from the Entra ID credential'), { name: 'AuthenticationError' });
        if (current) current.until = t.expiresOnTimestamp - 5 * 60_000;
        return { query: '', headers: { authorization: `Bearer ${t.token}` } };
      });
      current = { a, until: Number.POSITIVE_INFINITY };
      a.catch(() => (current = undefined));
    }
    return current.a;
  };
}

/**
 * The authoriser for this target, or undefined where only the SDK can read (then the caller
 * keeps using it).
 */
export function azureReadAuthoriser(t: AzureTarget, service: BlobServiceClient): Authoriser | undefined {
  const a = t.auth;
  switch (a.type) {
    case 'sas':
      return fixed(a.token);
    case 'anonymous':
      return fixed('');
    case 'key':
      return fromKey(t.container, a.accountName, a.accountKey);
    case 'connection-string': {
      const p = parseConnectionString(a.connectionString);
      if (p.accountKey && p.accountName) return fromKey(t.container, p.accountName, p.accountKey);
      if (p.sas) return fixed(p.sas);
      return undefined;
    }
    default: {
      const credential = service.credential as Partial<TokenCredential>;
      return typeof credential.getToken === 'function' ? fromToken(credential as TokenCredential) : undefined;
    }
  }
}

/** The SDK's escaping of a blob name (each segment percent-encoded, '/' kept). */
export function blobPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class AzureFastReader {
  private readonly origin: string;
  private readonly basePath: string;

  constructor(
    serviceUrl: string,
    private readonly container: string,
    private readonly authorise: Authoriser,
  ) {
    const { origin, path } = splitUrl(serviceUrl.replace(/\/+$/, ''));
    this.origin = origin;
    this.basePath = path === '/' ? '' : path;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const { range, signal, ifMatch } = opts;
    const start = range?.start ?? 0;
    const headers: Record<string, string> = { 'x-ms-version': X_MS_VERSION, 'user-agent': 'archive-cli' };
    if (range) headers['x-ms-range'] = `bytes=${range.start}-${range.end ?? ''}`;
    if (ifMatch) headers['if-match'] = `"${ifMatch}"`;
    const auth = await this.authorise();
    if (auth.headers) Object.assign(headers, auth.headers);
    const path = `${this.basePath}/${encodeURIComponent(this.container)}/${blobPath(key)}${auth.query ? `?${auth.query}` : ''}`;
    const res = await get({ origin: this.origin, path, headers }, 'azure', signal);
    if (res.status >= 200 && res.status < 300) {
      const bad = rangeMismatch(res, start);
      if (bad) {
        res.body.destroy();
        throw {
          name: 'RestError',
          statusCode: res.status,
          code: 'InvalidRange',
          details: { errorCode: 'InvalidRange' },
          message: bad,
        } satisfies AzureHttpError;
      }
      return res.body;
    }
    const xml = await errorBody(res.body);
    const code = header(res.headers, 'x-ms-error-code') ?? xmlField(xml, 'Code');
    const retryAfter = header(res.headers, 'retry-after');
    const err: AzureHttpError = {
      name: 'RestError',
      statusCode: res.status,
      code,
      details: { errorCode: code },
      message: xmlField(xml, 'Message') ?? `service answered ${res.status}`,
      // Where retry-after.ts looks on the SDK's RestError, so a 429's wait is honoured here too.
      response: { headers: { get: (n: string) => (n.toLowerCase() === 'retry-after' ? retryAfter : undefined) } },
    };
    throw err;
  }
}
