/**
 * Azure blob reads without the SDK pipeline: authorise once (the caller's SAS, or a short-lived
 * read-only SAS signed locally from the account key, or a user-delegation SAS for Entra ID
 * credentials), then plain GETs through http-get.ts.
 *
 * Which credentials take it (see `azureReadAuthoriser`):
 *   sas, anonymous, key, connection string with a key or a SAS  → fast path
 *   service principal / device code / default chain            → fast path when a user-delegation
 *     key can be had (Storage Blob Data Reader includes that right), else the SDK
 *   connection string with neither (rare)                       → the SDK
 *
 * Error contract: `read` rejects with an object shaped like the SDK's RestError (statusCode,
 * code, details.errorCode, message from the XML body), with an HttpNetworkError, or with the
 * caller's AbortError, so `mapAzureError` maps it exactly as it maps SDK failures. No rejection
 * carries the SAS.
 */
import type { Readable } from 'node:stream';
import { BlobSASPermissions, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters, type BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import { parseConnectionString, type AzureTarget } from '../target.js';
import { dispatcherFor, errorBody, get, header, rangeMismatch, splitUrl, xmlField } from './http-get.js';
import type { ReadOptions } from './types.js';

/** A GA service version that has everything used here (x-ms-range, If-Match). */
const X_MS_VERSION = '2025-05-05';
/** Locally made SAS tokens live this long and are renewed when less than RENEW_MS is left. */
const SAS_LIFETIME_MS = 60 * 60_000;
const RENEW_MS = 15 * 60_000;

/** Returns the query (no '?') that authorises a read of the container's blobs right now. */
export type Authoriser = () => Promise<string>;

function fixed(token: string): Authoriser {
  const q = token.replace(/^\?/, '');
  return async () => q;
}

function renewing(make: (expiresOn: Date) => Promise<string>): Authoriser {
  let current: { q: Promise<string>; expires: number } | undefined;
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
  return renewing(async (expiresOn) =>
    generateBlobSASQueryParameters({ containerName: container, permissions: BlobSASPermissions.parse('r'), expiresOn, protocol: SASProtocol.HttpsAndHttp }, cred).toString(),
  );
}

function fromDelegation(container: string, accountName: string, service: BlobServiceClient, first: UserDelegationKey): Authoriser {
  let key = first;
  return renewing(async (expiresOn) => {
    if (new Date(key.signedExpiresOn).getTime() < expiresOn.getTime()) key = await service.getUserDelegationKey(new Date(), new Date(expiresOn.getTime() + RENEW_MS));
    return generateBlobSASQueryParameters({ containerName: container, permissions: BlobSASPermissions.parse('r'), expiresOn, protocol: SASProtocol.HttpsAndHttp }, key, accountName).toString();
  });
}

/**
 * The authoriser for this target, or undefined where only the SDK can read (then the caller
 * keeps using it). Never throws: a credential that cannot give a delegation key falls back.
 */
export async function azureReadAuthoriser(t: AzureTarget, service: BlobServiceClient): Promise<Authoriser | undefined> {
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
    default:
      try {
        const now = Date.now();
        const key = await service.getUserDelegationKey(new Date(now - 5 * 60_000), new Date(now + SAS_LIFETIME_MS + RENEW_MS));
        return fromDelegation(t.container, t.account, service, key);
      } catch {
        return undefined;
      }
  }
}

/** The SDK's escaping of a blob name (each segment percent-encoded, '/' kept). */
export function blobPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

interface AzureHttpError {
  name: 'RestError';
  statusCode: number;
  code?: string;
  details: { errorCode?: string };
  message: string;
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
    const q = await this.authorise();
    const path = `${this.basePath}/${encodeURIComponent(this.container)}/${blobPath(key)}${q ? '?' + q : ''}`;
    const res = await get({ origin: this.origin, path, headers }, await dispatcherFor('azure'), signal);
    if (res.status >= 200 && res.status < 300) {
      const bad = rangeMismatch(res, start);
      if (bad) {
        res.body.destroy();
        throw { name: 'RestError', statusCode: res.status, code: 'InvalidRange', details: { errorCode: 'InvalidRange' }, message: bad } satisfies AzureHttpError;
      }
      return res.body;
    }
    const xml = await errorBody(res.body);
    const code = header(res.headers, 'x-ms-error-code') ?? xmlField(xml, 'Code');
    const err: AzureHttpError = { name: 'RestError', statusCode: res.status, code, details: { errorCode: code }, message: xmlField(xml, 'Message') ?? `service answered ${res.status}` };
    throw err;
  }
}
