/**
 * List Blobs pages without the SDK, for the credentials that need no SDK to authorise a request:
 * a SAS (the location's or a connection string's), anonymous access, and the account key (Shared
 * Key, signed here: the documented HMAC-SHA256 over the request, as the SDK's
 * StorageSharedKeyCredentialPolicy computes it). Token credentials (service principal, device
 * code, the default chain) keep the SDK pipeline (azure.ts). One GET per page through
 * http-get.ts (keep-alive node:http; the proxy variables read as @azure/core-rest-pipeline reads
 * them), read by azure-list-xml.ts.
 *
 * Why: loading @azure/storage-blob and @azure/core-rest-pipeline cost a 10-key `archive list`
 * ~100 ms of start-up on this machine, more than Node's own start (README "Listing").
 *
 * Retries copy the SDK's storage retry policy as azure.ts configures it (maxTries 4, exponential
 * 0 / 400 / 1200 ms): 500 and 503 answers and the connection failures it names (ETIMEDOUT,
 * ECONNREFUSED, ECONNRESET, ENOTFOUND, EPIPE, …).
 *
 * Error contract: pages reject with an object shaped like the SDK's RestError (name, statusCode,
 * code and details.errorCode from x-ms-error-code or the XML body, message, response.headers), with
 * an HttpNetworkError, or with a parse Error, so `mapAzureError` maps them as it maps SDK failures.
 * No rejection carries the URL, the SAS or the signature.
 */
import { createHmac } from 'node:crypto';
import type { AzureTarget } from './target-types.js';
import { parseConnectionString } from './azure-connection-string.js';
import { parseListBlobs, type ListBlobsPage } from './azure-list-xml.js';
import { bodyText, get, header, splitUrl, xmlField } from './http-get.js';

/** A GA service version with everything the reader needs (List Blobs shape of 2019-12-12 and later). */
const X_MS_VERSION = '2025-05-05';
const MAX_TRIES = 4;
const RETRY_DELAY_MS = 400;
const MAX_RETRY_DELAY_MS = 8_000;
const RETRIABLE_NETWORK = ['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ENOTFOUND', 'TIMEOUT', 'EPIPE'];

export interface ListBlobsQuery {
  prefix: string;
  /** '' for a flat listing; '/' for one level; any other string groups keys at its first occurrence. */
  delimiter: string;
  marker: string;
  maxResults: number;
}

/** How requests are authorised: a query to append (SAS, no '?') or a Shared Key. SECRET. */
type Credential = { sas: string } | { accountName: string; accountKey: Buffer };

/** The credential for this target when no SDK is needed, else undefined (the caller uses the SDK). */
export function leanListCredential(t: AzureTarget): Credential | undefined {
  const a = t.auth;
  switch (a.type) {
    case 'sas':
      return { sas: a.token.replace(/^\?/, '') };
    case 'anonymous':
      return { sas: '' };
    case 'key':
      return { accountName: a.accountName, accountKey: Buffer.from(a.accountKey, 'base64') };
    case 'connection-string': {
      // The same choice as createServiceClient: its key, else its SAS, else the SDK.
      const p = parseConnectionString(a.connectionString);
      if (p.accountKey && p.accountName) return { accountName: p.accountName, accountKey: Buffer.from(p.accountKey, 'base64') };
      if (p.sas) return { sas: p.sas.replace(/^\?/, '') };
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The Shared Key `Authorization` value for a GET without body and without standard headers:
 * VERB, eleven empty standard header lines, the x-ms-* headers, then the resource
 * (`/account/path` and each query parameter, lower-cased, sorted, value decoded).
 */
export function sharedKeyAuthorization(
  accountName: string,
  accountKey: Buffer,
  path: string,
  query: Array<[string, string]>,
  msHeaders: Record<string, string>,
): string {
  const canonicalHeaders = Object.keys(msHeaders)
    .map((n) => n.toLowerCase())
    .sort()
    .map((n) => `${n}:${msHeaders[n]!.trimStart()}\n`)
    .join('');
  const params = query.map(([k, v]) => [k.toLowerCase(), v] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const resource = `/${accountName}${path}${params.map(([k, v]) => `\n${k}:${v}`).join('')}`;
  const stringToSign = `GET\n${'\n'.repeat(11)}${canonicalHeaders}${resource}`;
  return `SharedKey ${accountName}:${createHmac('sha256', accountKey).update(stringToSign, 'utf8').digest('base64')}`;
}

/** An HTTP failure shaped like the SDK's RestError, so mapAzureError reads it as it reads the SDK's. */
export interface AzureHttpError {
  name: 'RestError';
  statusCode: number;
  code?: string;
  details: { errorCode?: string };
  message: string;
  response?: { headers: { get(name: string): string | undefined } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noop = () => undefined;

function retriable(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string; name?: string };
  if (e?.statusCode === 500 || e?.statusCode === 503) return true;
  return e?.name === 'HttpNetworkError' && !!e.code && RETRIABLE_NETWORK.includes(e.code);
}

export class AzureLister {
  private readonly origin: string;
  private readonly path: string;

  constructor(
    serviceUrl: string,
    container: string,
    private readonly credential: Credential,
  ) {
    const { origin, path } = splitUrl(serviceUrl.replace(/[?#].*$/, '').replace(/\/+$/, ''));
    this.origin = origin;
    this.path = `${path === '/' ? '' : path}/${encodeURIComponent(container)}`;
  }

  private async page(q: ListBlobsQuery): Promise<ListBlobsPage> {
    // include=metadata: folder markers (hdi_isfolder=true) must be told apart from files.
    const query: Array<[string, string]> = [
      ['restype', 'container'],
      ['comp', 'list'],
      ['maxresults', String(q.maxResults)],
      ['include', 'metadata'],
    ];
    if (q.prefix) query.push(['prefix', q.prefix]);
    if (q.delimiter) query.push(['delimiter', q.delimiter]);
    if (q.marker) query.push(['marker', q.marker]);
    let qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const headers: Record<string, string> = { 'x-ms-version': X_MS_VERSION, 'user-agent': 'archive-cli' };
    const c = this.credential;
    if ('sas' in c) {
      if (c.sas) qs += `&${c.sas}`;
    } else {
      const ms = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': X_MS_VERSION };
      headers['x-ms-date'] = ms['x-ms-date'];
      headers.authorization = sharedKeyAuthorization(c.accountName, c.accountKey, this.path, query, ms);
    }
    const res = await get({ origin: this.origin, path: `${this.path}?${qs}`, headers }, 'azure');
    const body = await bodyText(res.body);
    if (res.status >= 200 && res.status < 300) return parseListBlobs(body);
    const code = header(res.headers, 'x-ms-error-code') ?? xmlField(body, 'Code');
    const retryAfter = header(res.headers, 'retry-after');
    // An Error (with a stack), as the SDK's RestError is: --verbose prints the cause chain.
    const fields: Omit<AzureHttpError, 'message'> = {
      name: 'RestError',
      statusCode: res.status,
      code,
      details: { errorCode: code },
      response: { headers: { get: (n: string) => (n.toLowerCase() === 'retry-after' ? retryAfter : undefined) } },
    };
    throw Object.assign(new Error(xmlField(body, 'Message')?.split('\n')[0] ?? `HTTP ${res.status}`), fields);
  }

  /**
   * Every page under the prefix (one level with `delimiter`), in order; `onRequest` once per page
   * answered. The next page is requested as soon as this one is read, before its entries are
   * handed on, so the service's time and ours overlap.
   */
  async *pages(o: { prefix: string; delimiter: string; maxResults: number; onRequest?: () => void }): AsyncIterable<ListBlobsPage> {
    const fetchPage = async (marker: string): Promise<ListBlobsPage> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const page = await this.page({ prefix: o.prefix, delimiter: o.delimiter, marker, maxResults: o.maxResults });
          o.onRequest?.();
          return page;
        } catch (err) {
          if (attempt >= MAX_TRIES || !retriable(err)) throw err;
          await sleep(Math.min((2 ** (attempt - 1) - 1) * RETRY_DELAY_MS, MAX_RETRY_DELAY_MS));
        }
      }
    };
    let pending = fetchPage('');
    for (;;) {
      const page = await pending;
      if (page.nextMarker) {
        pending = fetchPage(page.nextMarker);
        pending.catch(noop); // awaited on the next turn; dropped when the consumer stops early
      }
      yield page;
      if (!page.nextMarker) return;
    }
  }
}
