/**
 * ListObjectsV2 pages without the SDK's middleware or deserializer: one GET per page through
 * http-get.ts (keep-alive node:http, the proxy variables), read by s3-list-xml.ts.
 *
 * Who authorises a page (`S3ListAuth`): static keys are signed here (sigv4.ts) when the endpoint
 * is explicit and path-style, so such a listing never loads @aws-sdk/client-s3 (start-up); every
 * other case (credential chains, roles, real AWS endpoints with their virtual-host, FIPS and
 * dual-stack rules) is presigned by the SDK from its own client (s3.ts), so credentials and
 * endpoint resolution stay the SDK's.
 *
 * Retries copy the SDK's standard strategy that the SDK path had (maxAttempts 4): throttling and
 * transient answers (429, 500, 502, 503, 504, SlowDown/Throttling codes) and connection failures
 * (ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT) are retried after a full-jitter exponential wait
 * (100 ms base, 500 ms when throttled), at least the answer's Retry-After.
 *
 * Error contract: pages reject with an object shaped like the SDK's service exception (name and
 * Code from the XML body, message, $metadata.httpStatusCode, $response.headers), with an
 * HttpNetworkError, or with a parse Error, so `mapS3Error` maps them as it maps SDK failures. No
 * rejection carries the URL or the signature.
 */
import { bodyText, get, header, type PreparedGet, xmlField } from './http-get.js';
import { leadingNextToken, parseListObjectsV2, type ListObjectsPage } from './s3-list-xml.js';
import { canonicalQuery, signGet, type AwsCredentials } from './sigv4.js';
import { retryAfterMs } from './retry-after.js';
import type { LevelPage, ObjectInfo } from './types.js';

/**
 * Headers every ListObjectsV2 request sends: S3 returns an entry's RestoreStatus (a Glacier
 * object's restore ongoing, or its restored copy's expiry) only when asked for it.
 */
export const LIST_HEADERS: Readonly<Record<string, string>> = { 'x-amz-optional-object-attributes': 'RestoreStatus' };

/** One ListObjectsV2 request's parameters (always list-type=2 and encoding-type=url). */
export interface ListQuery {
  prefix: string;
  /** '' for a flat listing; '/' for one level; any other string groups keys at its first occurrence. */
  delimiter: string;
  token: string;
  maxKeys: number;
}

export interface S3ListAuth {
  /** The GET for this ListObjectsV2 request, authorised. The result is SECRET. */
  prepare(q: ListQuery): Promise<PreparedGet>;
}

/** The query parameters, as the SDK names them on the wire. */
export function listParams(q: ListQuery): Array<[string, string]> {
  // encoding-type=url: a key holding a character XML 1.0 cannot carry is still listed.
  const params: Array<[string, string]> = [
    ['list-type', '2'],
    ['max-keys', String(q.maxKeys)],
    ['encoding-type', 'url'],
  ];
  if (q.prefix) params.push(['prefix', q.prefix]);
  if (q.delimiter) params.push(['delimiter', q.delimiter]);
  if (q.token) params.push(['continuation-token', q.token]);
  return params;
}

/**
 * Static keys, an explicit endpoint, path-style addressing: signed here, no SDK. `headers` are sent
 * with every page and signed (in SignedHeaders): `x-amz-request-payer` for requester pays.
 */
export function staticKeyAuth(o: {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: AwsCredentials;
  headers?: Record<string, string>;
}): S3ListAuth {
  const url = new URL(o.endpoint);
  const origin = `${url.protocol}//${url.host}`;
  // The SDK's path-style form: the endpoint's own path, '/', the bucket.
  const base = url.pathname.replace(/\/+$/, '');
  const path = `${base}/${encodeURIComponent(o.bucket)}`;
  return {
    async prepare(q) {
      const query = canonicalQuery(listParams(q));
      const headers = signGet({
        host: url.host,
        path,
        query,
        region: o.region,
        credentials: o.credentials,
        headers: { ...o.headers, ...LIST_HEADERS },
      });
      headers['user-agent'] = 'archive-cli';
      return { origin, path: `${path}?${query}`, headers };
    },
  };
}

interface S3HttpError {
  name: string;
  Code?: string;
  message: string;
  $metadata: { httpStatusCode: number };
  $response: { headers: Record<string, string | undefined> };
}

const MAX_ATTEMPTS = 4;
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

function retryable(err: unknown): { throttled: boolean } | undefined {
  const e = err as { name?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.Code ?? e?.name;
  if (status === 429 || (code && THROTTLING.has(code))) return { throttled: true };
  if ((status && TRANSIENT_STATUS.has(status)) || (code && TRANSIENT_CODES.has(code))) return { throttled: false };
  if (e?.name === 'HttpNetworkError' && e.code && NETWORK.has(e.code)) return { throttled: false };
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `onToken`: told the next page's token once the whole body is in and before it is parsed
 * (S3 sends NextContinuationToken ahead of the entries). Never for a body cut short: a retry may
 * name another token (s3rver's differ on every answer), so a request made on the first would be wasted.
 */
async function onePage(auth: S3ListAuth, q: ListQuery, onToken?: (token: string) => void): Promise<ListObjectsPage> {
  const req = await auth.prepare(q);
  const res = await get(req, 'standard');
  const body = await bodyText(res.body);
  const ok = res.status >= 200 && res.status < 300;
  if (ok && onToken) {
    const next = leadingNextToken(body);
    if (next) {
      onToken(next);
      // One event-loop turn, so that request leaves before the parse below (4–14 ms for 1,000 keys
      // on this machine) holds the loop: s3rver, 8,640 keys, the next request then followed each
      // page's last byte by 0.8–2.9 ms, against 3.9–13.6 ms when it waited for the parse.
      await new Promise((r) => setImmediate(r));
    }
  }
  if (ok) return parseListObjectsV2(body);
  const code = xmlField(body, 'Code');
  // An Error (with a stack), as the SDK's service exceptions are: --verbose prints the cause chain.
  const fields: Omit<S3HttpError, 'message'> = {
    name: code ?? 'Unknown',
    Code: code,
    $metadata: { httpStatusCode: res.status },
    // Where retry-after.ts looks on the AWS SDK's errors.
    $response: { headers: { 'retry-after': header(res.headers, 'retry-after') } },
  };
  throw Object.assign(new Error(xmlField(body, 'Message') ?? `service answered ${res.status}`), fields);
}

const noop = () => undefined;

/**
 * Every page of ListObjectsV2 under `prefix` (with `delimiter` '/' for one level), in order;
 * `onRequest` is called once per page answered. Read-ahead is one page: the next page is requested
 * while this one is handed on, so the service's time and ours overlap (s3rver, 6,000 keys: the
 * same 2 cores run both); and while the consumer is waiting for a page, its successor is requested
 * as soon as the page's body is in, before it is parsed (see onePage).
 */
export async function* listObjectPages(
  auth: S3ListAuth,
  o: { prefix: string; delimiter: string; pageSize: number; onRequest?: () => void },
): AsyncIterable<ListObjectsPage> {
  const seen = new Set<string>();
  /** The token of the page the consumer is blocked on (undefined while it handles one). */
  let awaited: string | undefined;
  let early: { token: string; page: Promise<ListObjectsPage> } | undefined;
  const fetchPage = async (token: string): Promise<ListObjectsPage> => {
    const q: ListQuery = { prefix: o.prefix, delimiter: o.delimiter, token, maxKeys: o.pageSize };
    // Only the awaited page reads ahead: a consumer that stops (--limit) leaves one request behind, not a chain.
    const onToken = (next: string) => {
      if (awaited !== token || early || seen.has(next)) return;
      early = { token: next, page: fetchPage(next) };
      early.page.catch(noop); // awaited once this page is parsed; dropped when the consumer stops early
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const page = await onePage(auth, q, onToken);
        o.onRequest?.();
        return page;
      } catch (err) {
        const r = attempt < MAX_ATTEMPTS ? retryable(err) : undefined;
        if (!r) throw err;
        const backoff = Math.random() * Math.min(20_000, (r.throttled ? 500 : 100) * 2 ** (attempt - 1));
        await sleep(Math.max(backoff, retryAfterMs(err) ?? 0));
      }
    }
  };
  let token = '';
  let pending = fetchPage(token);
  for (;;) {
    awaited = token;
    const page = await pending;
    awaited = undefined;
    // A store answering the same token again would loop for ever.
    if (page.nextToken && seen.has(page.nextToken)) throw new Error('ListObjectsV2 answered a continuation token it had already given');
    const ahead = early?.token === page.nextToken ? early.page : undefined;
    early = undefined;
    if (page.nextToken) {
      seen.add((token = page.nextToken));
      pending = ahead ?? fetchPage(token);
      pending.catch(noop); // awaited on the next turn; dropped when the consumer stops early
    }
    yield page;
    if (!page.nextToken) return;
  }
}

/**
 * The three listings a StorageProvider serves from ListObjectsV2 pages (S3, and GCS's XML API):
 * every object, one level's prefixes, and the planner's level pages. A failure of any page is
 * thrown as `fail` maps it (the provider's 'list' error).
 */
export const pagedListings = {
  async *objects(pages: AsyncIterable<ListObjectsPage>, fail: (e: unknown) => Error): AsyncIterable<ObjectInfo> {
    try {
      for await (const page of pages) yield* page.objects;
    } catch (e) {
      throw fail(e);
    }
  },
  async *prefixes(pages: AsyncIterable<ListObjectsPage>, fail: (e: unknown) => Error): AsyncIterable<string> {
    try {
      for await (const page of pages) yield* page.prefixes;
    } catch (e) {
      throw fail(e);
    }
  },
  async *level(pages: AsyncIterable<ListObjectsPage>, fail: (e: unknown) => Error): AsyncIterable<LevelPage> {
    try {
      for await (const page of pages) yield { objects: page.objects, prefixes: page.prefixes, more: !!page.nextToken };
    } catch (e) {
      throw fail(e);
    }
  },
};
