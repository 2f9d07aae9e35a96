/**
 * AWS Signature Version 4 for one S3 GET with a query and no body, on node:crypto. Pure apart
 * from the clock passed in.
 *
 * Why by hand: the documented algorithm is ~50 lines of HMAC; the SDK's signer
 * (@smithy/signature-v4) comes with @smithy/core and the middleware stack, and loading
 * @aws-sdk/client-s3 at all cost a 10-key `archive list` ~100 ms of start-up on this machine
 * (bundle compile and module evaluation). test/sigv4.test.ts checks the signatures made here
 * against @smithy/signature-v4's for the same requests.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** RFC 3986 percent-encoding of everything but unreserved characters, as SigV4 requires. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical (and sent) query string: keys and values encoded, sorted by key then value. */
export function canonicalQuery(params: Array<[string, string]>): string {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** Signing keys are valid for a day per region and service: cached per (secret, day, region). */
const keyCache = new Map<string, Buffer>();
function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}\n${region}\n${service}\n${secret}`;
  let k = keyCache.get(id);
  if (!k) {
    k = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    keyCache.clear(); // one credential per process in practice: keep one entry
    keyCache.set(id, k);
  }
  return k;
}

/**
 * Headers (lower-case names) that authorise `GET {path}?{query}` to `host`. `path` must already be
 * URI-encoded as it is sent (S3 signs the path as sent, without a second encoding); `query` is
 * canonicalQuery's output. The result holds the signature and, for temporary credentials, the
 * session token: a SECRET, never to reach a message.
 */
export function signGet(o: {
  host: string;
  path: string;
  query: string;
  region: string;
  credentials: AwsCredentials;
  now?: Date;
  service?: string;
  /** More headers to send and sign (lower-case names), e.g. `x-amz-request-payer`, `x-amz-optional-object-attributes`. */
  headers?: Record<string, string>;
  /** GET unless given: HEAD, PUT and DELETE are signed the same way (the GCS provider's requests). */
  method?: string;
  /** Hex SHA-256 of the body (default: of an empty body). */
  payloadHash?: string;
}): Record<string, string> {
  const service = o.service ?? 's3';
  const amzDate = (o.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...o.headers,
    host: o.host,
    'x-amz-content-sha256': o.payloadHash ?? EMPTY_SHA256,
    'x-amz-date': amzDate,
  };
  if (o.credentials.sessionToken) headers['x-amz-security-token'] = o.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [o.method ?? 'GET', o.path, o.query, canonicalHeaders, signedHeaders, o.payloadHash ?? EMPTY_SHA256].join('\n');
  const scope = `${day}/${o.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signature = createHmac('sha256', signingKey(o.credentials.secretAccessKey, day, o.region, service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${o.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
