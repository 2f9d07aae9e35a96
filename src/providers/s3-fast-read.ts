/**
 * S3 object reads without the SDK's per-request middleware: a presigned GET URL per object
 * (made by @aws-sdk/s3-request-presigner from the client's own credentials, endpoint and region
 * resolution, so every credential type and endpoint style works), cached per key, then plain
 * GETs through http-get.ts. Range and If-Match travel as unsigned headers, which S3 accepts on
 * presigned requests.
 *
 * Error contract: `read` rejects with an object shaped like the SDK's service exception (name and
 * Code from the XML body, message, $metadata.httpStatusCode), with an HttpNetworkError, with the
 * caller's AbortError, or with what presigning threw (e.g. CredentialsProviderError), so
 * `mapS3Error` maps it as it maps SDK failures. No rejection carries the presigned URL.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errorBody, get, header, rangeMismatch, splitUrl, xmlField } from './http-get.js';
import type { ReadOptions } from './types.js';

/** Presigned URLs are valid this long and reused while more than REUSE_MARGIN_MS is left. */
const URL_LIFETIME_S = 15 * 60;
const REUSE_MARGIN_MS = 5 * 60_000;
/** Keys whose URL is kept: a pull touches each object's URL a few times (parts, retries) close together. */
const CACHE_KEYS = 256;

interface S3HttpError {
  name: string;
  Code?: string;
  message: string;
  $metadata: { httpStatusCode: number };
  $response?: { headers: Record<string, string | undefined> };
}

export class S3FastReader {
  private readonly urls = new Map<string, { url: Promise<{ origin: string; path: string }>; until: number }>();

  /**
   * `headers` go on every GET and stay signed headers of its presigned URL (not hoisted into the
   * query): `x-amz-request-payer` for requester pays.
   */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private presigned(key: string): Promise<{ origin: string; path: string }> {
    const now = Date.now();
    const hit = this.urls.get(key);
    if (hit && hit.until > now) return hit.url;
    const url = getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: URL_LIFETIME_S,
      unhoistableHeaders: new Set(Object.keys(this.headers)),
    }).then(splitUrl);
    url.catch(() => this.urls.delete(key));
    if (this.urls.size >= CACHE_KEYS) this.urls.delete(this.urls.keys().next().value!);
    this.urls.set(key, { url, until: now + URL_LIFETIME_S * 1000 - REUSE_MARGIN_MS });
    return url;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const { range, signal, ifMatch } = opts;
    const start = range?.start ?? 0;
    const headers: Record<string, string> = { ...this.headers, 'user-agent': 'archive-cli' };
    if (range) headers.range = `bytes=${range.start}-${range.end ?? ''}`;
    if (ifMatch) headers['if-match'] = `"${ifMatch}"`;
    const { origin, path } = await this.presigned(key);
    const res = await get({ origin, path, headers }, 'standard', signal);
    if (res.status >= 200 && res.status < 300) {
      const bad = rangeMismatch(res, start);
      if (bad) {
        res.body.destroy();
        throw { name: 'InvalidRange', Code: 'InvalidRange', message: bad, $metadata: { httpStatusCode: res.status } } satisfies S3HttpError;
      }
      return res.body;
    }
    const xml = await errorBody(res.body);
    const code = xmlField(xml, 'Code');
    const retryAfter = header(res.headers, 'retry-after');
    // $response.headers is where retry-after.ts looks on the AWS SDK's errors.
    const err: S3HttpError = {
      name: code ?? 'Unknown',
      Code: code,
      message: xmlField(xml, 'Message') ?? `service answered ${res.status}`,
      $metadata: { httpStatusCode: res.status },
      $response: { headers: { 'retry-after': retryAfter } },
    };
    throw err;
  }
}
