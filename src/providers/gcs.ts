/**
 * Google Cloud Storage through its XML API, which speaks S3's wire protocol for what `archive`
 * does: ListObjectsV2 (prefix, delimiter, continuation tokens), GET with ranges and If-Match,
 * HEAD, PUT and DELETE (https://cloud.google.com/storage/docs/xml-api/overview). No SDK: listings
 * reuse the lean ListObjectsV2 reader (s3-list.ts), object requests go through http-get.ts.
 *
 * Authorisation per request: HMAC keys are signed with SigV4 (service `s3`, region `auto`, as
 * GCS's interoperability mode accepts), OAuth credentials send `Authorization: Bearer` (tokens from
 * gcs-auth.ts). `x-goog-user-project` (requester pays, --user-project) goes on every request, and
 * is signed under HMAC.
 *
 * Why not @google-cloud/storage (the JSON API): it is not installed here, and this path needs no
 * new dependency: the XML API is the S3 protocol the lean reader already parses.
 */
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { ArchiveError, AuthError, NotFoundError } from '../errors.js';
import { redact } from '../redact.js';
import { gcsHint, type Operation } from './hints.js';
import { bodyText, errorBody, get, header, rangeMismatch, xmlField, type GetResponse, type PreparedGet } from './http-get.js';
import { listChunk } from './list-chunk.js';
import { changedMidRead, mapFailure, transientFailure } from './provider-errors.js';
import { canonicalQuery, signGet, uriEncode } from './sigv4.js';
import { listObjectPages, pagedListings, listParams, type S3ListAuth } from './s3-list.js';
import type { GcsTarget } from './target-types.js';
import type { ContainerInfo, LevelPage, ObjectInfo, PutOptions, ReadOptions, StorageProvider } from './types.js';
import type { GcsTokenSource } from './gcs-auth.js';

export const GCS_ENDPOINT = 'https://storage.googleapis.com';
/** The header GCS bills requests to (requester pays). */
export const USER_PROJECT_HEADER = 'x-goog-user-project';
const LIST_PAGE = 1000;
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Vespa Cloud's GCP archive buckets (`vespa-cloud-data-prod.gcp-us-central1-f-73770f`), all requester pays. */
const VESPA_BUCKET = /^vespa-cloud-data-/;

interface GcsHttpError {
  name: string;
  Code?: string;
  message: string;
  $metadata: { httpStatusCode: number };
  $response: { headers: Record<string, string | undefined> };
}

/** An S3-shaped error from a non-2xx answer (the listing reader throws the same shape). */
async function httpError(res: GetResponse): Promise<GcsHttpError> {
  const xml = await errorBody(res.body);
  const code = xmlField(xml, 'Code');
  return Object.assign(new Error(xmlField(xml, 'Message') ?? `service answered ${res.status}`), {
    name: code ?? 'Unknown',
    Code: code,
    $metadata: { httpStatusCode: res.status },
    $response: { headers: { 'retry-after': header(res.headers, 'retry-after') } },
  });
}

export interface GcsErrorContext {
  bucket?: string;
  userProject?: string;
  host?: string;
}

function deniedHint(code: string, op: Operation, ctx: GcsErrorContext | undefined): string | undefined {
  const base = gcsHint(code, op);
  if (ctx?.userProject || code === 'UserProjectMissing') return base;
  if (ctx?.bucket && VESPA_BUCKET.test(ctx.bucket))
    return `Vespa Cloud's GCP archive buckets are requester pays: add --user-project PROJECT (or save it in the profile: archive profile add … --user-project PROJECT); the principal must also be the one registered in the Vespa Cloud console, and a tenant may list only its own prefix (gs://${ctx.bucket}/TENANT/)`;
  return base && `${base}; a requester-pays bucket also needs --user-project PROJECT`;
}

export function mapGcsError(err: unknown, op: Operation, what: string, ctx?: GcsErrorContext): Error {
  if (err instanceof ArchiveError) return err;
  const e = err as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'AbortError') return err as Error;
  const status = e?.$metadata?.httpStatusCode;
  let code = e?.Code;
  if (code === 'Unknown') code = undefined;
  const netCode = e?.code;
  // GCS answers 400 UserProjectMissing (and 403 for a project that may not be billed) on requester pays.
  if (
    code === 'UserProjectMissing' ||
    code === 'UserProjectAccountProblem' ||
    (status === 400 && /requester pays|user project/i.test(e?.message ?? ''))
  ) {
    const c = code ?? 'UserProjectMissing';
    return new AuthError(`${op} ${what}: the bucket is requester pays`, {
      serviceCode: c,
      hint: gcsHint('UserProjectMissing', op),
      status,
      cause: err,
    });
  }
  if (status === 401 || status === 403) {
    const c = code ?? 'AccessDenied';
    return new AuthError(`${op} ${what}: permission denied`, { serviceCode: c, hint: deniedHint(c, op, ctx), status, cause: err });
  }
  if (status === 404 || code === 'NoSuchBucket' || code === 'NoSuchKey') {
    const c = code ?? (what.includes('/', 5) ? 'NoSuchKey' : 'NoSuchBucket');
    return new NotFoundError(`${op} ${what}: not found`, { serviceCode: c, hint: gcsHint(c, op), status, cause: err });
  }
  const facts = { status, code, netCode, host: ctx?.host };
  const changed = changedMidRead(op, what, facts, err) ?? transientFailure(op, what, facts, err);
  if (changed) return changed;
  return new ArchiveError(`${op} ${what}: ${redact(String(e?.message ?? err)).split('\n')[0]}`, { serviceCode: code, status, cause: err });
}

/** How one request is authorised: SigV4 headers (HMAC) or a bearer token (OAuth). */
interface Authoriser {
  headers(method: string, path: string, query: string, payloadHash?: string): Promise<Record<string, string>>;
}

function hmacAuthoriser(host: string, accessId: string, secret: string, extra: Record<string, string>): Authoriser {
  return {
    async headers(method, path, query, payloadHash) {
      return signGet({
        method,
        host,
        path,
        query,
        region: 'auto',
        credentials: { accessKeyId: accessId, secretAccessKey: secret },
        headers: extra,
        payloadHash,
      });
    },
  };
}

export class GcsProvider implements StorageProvider {
  readonly kind = 'gcs' as const;
  readonly container: string;
  listRequests = 0;
  private readonly origin: string;
  private readonly host: string;
  private readonly basePath: string;
  private authoriser?: Promise<Authoriser>;

  constructor(
    private readonly target: GcsTarget,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.container = target.bucket;
    const url = new URL(target.endpoint ?? GCS_ENDPOINT);
    this.origin = `${url.protocol}//${url.host}`;
    this.host = url.host;
    this.basePath = url.pathname.replace(/\/+$/, '');
  }

  /** Headers every request carries beyond authorisation: the billed project. */
  private extra(): Record<string, string> {
    return this.target.userProject ? { [USER_PROJECT_HEADER]: this.target.userProject } : {};
  }

  private auth(): Promise<Authoriser> {
    this.authoriser ??= (async (): Promise<Authoriser> => {
      const a = this.target.auth;
      const extra = this.extra();
      if (a.type === 'hmac') return hmacAuthoriser(this.host, a.hmacAccessId, a.hmacSecret, extra);
      const { GcsTokenSource } = await import('./gcs-auth.js');
      const tokens: GcsTokenSource = new GcsTokenSource(a, this.env);
      return { headers: async () => ({ ...extra, authorization: await tokens.authorization() }) };
    })();
    return this.authoriser;
  }

  describe(): string {
    return `gs://${this.container}`;
  }

  private bucket(): string {
    if (!this.container) throw new ArchiveError('this command needs a bucket in the location', { hint: 'use gs://BUCKET/PREFIX' });
    return this.container;
  }

  private fail(err: unknown, op: Operation, key?: string): Error {
    return mapGcsError(err, op, key !== undefined ? `${this.describe()}/${key}` : this.describe(), {
      bucket: this.container,
      userProject: this.target.userProject,
      host: this.host,
    });
  }

  /** The path of an object (or of the bucket when key is undefined), encoded as sent and signed. */
  private path(key?: string): string {
    const b = `${this.basePath}/${uriEncode(this.bucket())}`;
    return key === undefined ? b : `${b}/${key.split('/').map(uriEncode).join('/')}`;
  }

  /**
   * HEAD, PUT, DELETE and the bucket list, retried as the SDK retries S3's (4 attempts, full-jitter
   * backoff, at least Retry-After) on 429, 5xx and connection failures. Object GETs are not retried
   * here: resilient-read.ts resumes them from the byte where they stopped.
   */
  private async retried(method: string, path: string, query = '', more: Record<string, string> = {}, body?: Buffer) {
    for (let attempt = 1; ; attempt++) {
      let res: GetResponse | undefined;
      try {
        res = await this.request(method, path, query, more, body);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (attempt >= 4 || !code || !RETRY_NETWORK.has(code)) throw e;
      }
      if (res && (attempt >= 4 || !RETRY_STATUS.has(res.status))) return res;
      const after = res ? Number(header(res.headers, 'retry-after')) * 1000 || 0 : 0;
      res?.body.resume();
      await new Promise((r) => setTimeout(r, Math.max(Math.random() * Math.min(20_000, 100 * 2 ** (attempt - 1)), after)));
    }
  }

  private async request(method: string, path: string, query = '', more: Record<string, string> = {}, body?: Buffer, signal?: AbortSignal) {
    const payloadHash = body ? createHash('sha256').update(body).digest('hex') : undefined;
    const headers: Record<string, string> = {
      ...(await (await this.auth()).headers(method, path, query, payloadHash)),
      ...more,
      'user-agent': 'archive-cli',
    };
    if (body) headers['content-length'] = String(body.length);
    const req: PreparedGet = { origin: this.origin, path: query ? `${path}?${query}` : path, headers, method, body };
    return get(req, 'standard', signal);
  }

  private listAuth(): S3ListAuth {
    return {
      prepare: async (q) => {
        const path = this.path();
        const query = canonicalQuery(listParams(q));
        const headers = { ...(await (await this.auth()).headers('GET', path, query)), 'user-agent': 'archive-cli' };
        return { origin: this.origin, path: `${path}?${query}`, headers };
      },
    };
  }

  private pages(prefix: string, delimiter: string) {
    return listObjectPages(this.listAuth(), { prefix, delimiter, pageSize: listChunk(LIST_PAGE), onRequest: () => this.listRequests++ });
  }

  async *listContainers(): AsyncIterable<ContainerInfo> {
    // Listing buckets needs a project (x-goog-project-id) and storage.buckets.list: the XML API's GET Service.
    try {
      const res = await this.retried(
        'GET',
        `${this.basePath}/`,
        '',
        this.target.userProject ? { 'x-goog-project-id': this.target.userProject } : {},
      );
      if (res.status < 200 || res.status >= 300) throw await httpError(res);
      const xml = await bodyText(res.body);
      for (const m of xml.matchAll(/<Bucket>([\s\S]*?)<\/Bucket>/g)) {
        const name = xmlField(m[1]!, 'Name');
        const created = xmlField(m[1]!, 'CreationDate');
        if (name) yield { name, lastModified: created ? new Date(created) : undefined };
      }
    } catch (e) {
      throw this.fail(e, 'containers');
    }
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    this.bucket();
    yield* pagedListings.objects(this.pages(prefix, ''), (e) => this.fail(e, 'list'));
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    this.bucket();
    yield* pagedListings.prefixes(this.pages(prefix, '/'), (e) => this.fail(e, 'list'));
  }

  async *listLevel(prefix: string, delimiter = '/'): AsyncIterable<LevelPage> {
    this.bucket();
    yield* pagedListings.level(this.pages(prefix, delimiter), (e) => this.fail(e, 'list'));
  }

  async stat(key: string): Promise<ObjectInfo> {
    return mapFailure(
      async () => {
        const res = await this.retried('HEAD', this.path(key));
        res.body.resume();
        if (res.status < 200 || res.status >= 300) throw await httpError(res);
        const h = (n: string) => header(res.headers, n) || undefined;
        // x-goog-hash: crc32c=…,md5=… (base64); composite objects have no md5.
        const md5 = /(?:^|,)\s*md5=([^,]+)/.exec(h('x-goog-hash') ?? '')?.[1];
        const lm = h('last-modified');
        return {
          key,
          size: Number(h('content-length') ?? 0),
          lastModified: lm ? new Date(lm) : new Date(0),
          etag: h('etag')?.replace(/"/g, ''),
          contentMd5: md5 ?? h('content-md5'),
          contentEncoding: h('content-encoding'),
          contentType: h('content-type'),
        };
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const { range, signal, ifMatch } = opts;
    const more: Record<string, string> = {};
    if (range) more.range = `bytes=${range.start}-${range.end ?? ''}`;
    if (ifMatch) more['if-match'] = `"${ifMatch}"`;
    return mapFailure(
      async () => {
        const res = await this.request('GET', this.path(key), '', more, undefined, signal);
        if (res.status >= 200 && res.status < 300) {
          const bad = rangeMismatch(res, range?.start ?? 0);
          if (bad) {
            res.body.destroy();
            throw Object.assign(new Error(bad), { name: 'InvalidRange', Code: 'InvalidRange', $metadata: { httpStatusCode: res.status } });
          }
          return res.body;
        }
        throw await httpError(res);
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  async put(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<void> {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const more: Record<string, string> = {};
    if (opts.contentType) more['content-type'] = opts.contentType;
    if (opts.contentEncoding) more['content-encoding'] = opts.contentEncoding;
    await mapFailure(
      async () => {
        const res = await this.retried('PUT', this.path(key), '', more, buf);
        if (res.status < 200 || res.status >= 300) throw await httpError(res);
        res.body.resume();
      },
      (e) => this.fail(e, 'write', key),
    );
  }

  async delete(key: string): Promise<void> {
    await mapFailure(
      async () => {
        const res = await this.retried('DELETE', this.path(key));
        if ((res.status < 200 || res.status >= 300) && res.status !== 404) throw await httpError(res);
        res.body.resume();
      },
      (e) => this.fail(e, 'delete', key),
    );
  }
}

export function openGcs(target: GcsTarget): StorageProvider {
  return new GcsProvider(target);
}
