/**
 * Amazon S3 (and S3-compatible) provider. Listings go through the lean ListObjectsV2 reader
 * (s3-list.ts); everything else through @aws-sdk/client-s3, which is imported on first use only:
 * a listing with static keys and an explicit endpoint never loads it (a 10-key `archive list`
 * started ~90 ms sooner on s3rver, see README "Listing").
 */
import { listChunk } from './list-chunk.js';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ArchiveError, ArchivedError, AuthError, NotFoundError, UsageError } from '../errors.js';
import { redact } from '../redact.js';
import type { S3Target } from './target-types.js';
import { s3Hint, type Operation } from './hints.js';
import { changedMidRead, mapFailure, transientFailure } from './provider-errors.js';
import type {
  ContainerInfo,
  LevelPage,
  ObjectInfo,
  PutOptions,
  ReadOptions,
  RestoreAnswer,
  RestoreRequest,
  StorageProvider,
} from './types.js';
import { parseAmzRestore } from './restore-header.js';
import { fastReadsEnabled, splitUrl } from './http-get.js';
import type { S3FastReader } from './s3-fast-read.js';
import { LIST_HEADERS, listObjectPages, pagedListings, staticKeyAuth, type ListQuery, type S3ListAuth } from './s3-list.js';
import type { AwsCredentials } from './sigv4.js';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdkModule: Promise<S3Sdk> | undefined;
/** The SDK module, loaded once on first use. */
function sdk(): Promise<S3Sdk> {
  sdkModule ??= import('@aws-sdk/client-s3');
  return sdkModule;
}

/** Keys/page: the ListObjectsV2 maximum. */
const LIST_PAGE = 1000;

/**
 * The credential the SDK's chain would pick without any lookup: profile keys, or (no profile,
 * no AWS_PROFILE) the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair its first link (fromEnv)
 * reads. Undefined for everything else (files, SSO, roles, IMDS): the SDK resolves those.
 */
export function staticCredentials(t: S3Target, env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  const a = t.auth;
  if (a.type === 'keys') return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey, sessionToken: a.sessionToken };
  if (a.type === 'chain' && !a.profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
  return undefined;
}

async function credentialsFor(t: S3Target): Promise<S3ClientConfig['credentials']> {
  const a = t.auth;
  switch (a.type) {
    case 'keys':
      return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey, sessionToken: a.sessionToken };
    case 'assume-role': {
      const { fromTemporaryCredentials, fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      return fromTemporaryCredentials({
        masterCredentials: fromNodeProviderChain(a.profile ? { profile: a.profile } : {}),
        params: { RoleArn: a.roleArn, ExternalId: a.externalId, RoleSessionName: a.sessionName ?? `archive-cli-${Date.now()}` },
        clientConfig: { region: t.region ?? 'us-east-1' },
      });
    }
    case 'chain': {
      if (!a.profile) return undefined; // the SDK's own default chain
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      return fromNodeProviderChain({ profile: a.profile });
    }
  }
}

/** The header S3 requester pays is asked for by (signed wherever it is sent). */
export const REQUEST_PAYER_HEADER = 'x-amz-request-payer';

/** The headers every request to this target carries beyond the SDK's own: requester pays. */
export function targetHeaders(t: S3Target): Record<string, string> {
  return t.requestPayer ? { [REQUEST_PAYER_HEADER]: t.requestPayer } : {};
}

/** Presigned URLs keep these as signed headers (the request must send them) instead of query parameters. */
export function unhoistable(t: S3Target): Set<string> {
  return new Set(Object.keys(targetHeaders(t)));
}

export async function createS3Client(t: S3Target): Promise<S3Client> {
  const { S3Client } = await sdk();
  const client = new S3Client({
    region: t.region ?? 'us-east-1',
    endpoint: t.endpoint,
    forcePathStyle: t.forcePathStyle ?? !!t.endpoint,
    credentials: await credentialsFor(t),
    maxAttempts: 4,
    // Checksums on upload would use aws-chunked framing that some S3-compatible stores keep verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const extra = Object.entries(targetHeaders(t));
  if (extra.length) {
    // On every request the client builds (HEAD, GET, PUT, DELETE, and what getSignedUrl presigns:
    // it runs this stack), before signing, so the header is signed; retries resend the built request.
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers?: Record<string, string> };
        if (req?.headers) for (const [k, v] of extra) req.headers[k] = v;
        return next(args);
      },
      { step: 'build', name: 'archiveRequestPayer' },
    );
  }
  return client;
}

interface S3ErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/** What the error mapping knows of the target beyond the failed operation (for hints). */
export interface S3ErrorContext {
  bucket?: string;
  requestPayer?: string;
}

/** Vespa Cloud's AWS archive buckets (`vespa-cloud-data-prod.aws-us-east-1c-9eb633`), all requester pays. */
const VESPA_BUCKET = /^vespa-cloud-data-/;

/** The fix for an AccessDenied: requester pays first where that is the likely cause. */
function accessDeniedHint(code: string, op: Operation, ctx: S3ErrorContext | undefined): string | undefined {
  const base = s3Hint(code, op);
  if (code !== 'AccessDenied' || !ctx || ctx.requestPayer) return base;
  if (ctx.bucket && VESPA_BUCKET.test(ctx.bucket))
    return `Vespa Cloud's AWS archive buckets are requester pays: add --request-payer requester (or save it in the profile: archive profile add … --request-payer requester); the role must also be the one registered in the Vespa Cloud console, and a tenant may list only its own prefix (s3://${ctx.bucket}/TENANT/)`;
  return base && `${base}; a requester-pays bucket also needs --request-payer requester`;
}

export function mapS3Error(err: unknown, op: Operation, what: string, ctx?: S3ErrorContext): Error {
  if (err instanceof ArchiveError) return err;
  const e = err as S3ErrorLike;
  if (e?.name === 'AbortError') return err as Error;
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  let code = e?.Code ?? e?.name;
  if (code === 'Unknown' || code === 'Error' || code === 'UnknownError') code = undefined;
  const netCode = e?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if (e?.name === 'CredentialsProviderError') {
    return new AuthError(`${op} ${what}: no AWS credentials`, {
      serviceCode: 'CredentialsProviderError',
      hint: s3Hint('CredentialsProviderError', op),
      cause: err,
    });
  }
  // 403 like a refusal, but the object is only out of reach until it is restored.
  if (code === 'InvalidObjectState')
    return new ArchivedError(`${op} ${what}: the object is in an archive storage class`, {
      serviceCode: code,
      hint: s3Hint(code, op),
      status,
      cause: err,
    });
  if (status === 401 || status === 403 || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'AccessDenied') {
    const c = code ?? 'AccessDenied';
    return new AuthError(`${op} ${what}: permission denied`, { serviceCode: c, hint: accessDeniedHint(c, op, ctx), status, cause: err });
  }
  if (status === 404 || code === 'NoSuchBucket' || code === 'NoSuchKey' || code === 'NotFound') {
    const c = code && code !== 'NotFound' ? code : what.includes('/', 5) ? 'NoSuchKey' : 'NoSuchBucket';
    return new NotFoundError(`${op} ${what}: not found`, { serviceCode: c, hint: s3Hint(c, op), status, cause: err });
  }
  if (status === 301 || code === 'PermanentRedirect') {
    return new ArchiveError(`${op} ${what}: bucket is in another region`, {
      serviceCode: 'PermanentRedirect',
      hint: s3Hint('PermanentRedirect', op),
      status,
      cause: err,
    });
  }
  const facts = { status, code, netCode };
  const changed = changedMidRead(op, what, facts, err) ?? transientFailure(op, what, facts, err);
  if (changed) return changed;
  return new ArchiveError(`${op} ${what}: ${redact(String(e?.message ?? err)).split('\n')[0]}`, { serviceCode: code, status, cause: err });
}

export class S3Provider implements StorageProvider {
  readonly kind = 's3' as const;
  readonly container: string;
  listRequests = 0;
  private fastReader?: Promise<S3FastReader | undefined>;
  private sdkClient?: Promise<S3Client>;
  private listAuthorisation?: S3ListAuth;

  constructor(private readonly target: S3Target) {
    this.container = target.bucket;
  }

  private client(): Promise<S3Client> {
    this.sdkClient ??= createS3Client(this.target);
    return this.sdkClient;
  }

  /**
   * Who signs listing requests: sigv4.ts for static keys on an explicit path-style endpoint (no
   * SDK loaded), else the SDK's presigner from its own client (credential chain, AWS endpoints).
   */
  private listAuth(): S3ListAuth {
    if (this.listAuthorisation) return this.listAuthorisation;
    const t = this.target;
    const credentials = staticCredentials(t);
    const bucket = this.bucket();
    const headers = targetHeaders(t);
    if (credentials && t.endpoint && t.forcePathStyle !== false) {
      this.listAuthorisation = staticKeyAuth({ endpoint: t.endpoint, bucket, region: t.region ?? 'us-east-1', credentials, headers });
    } else {
      this.listAuthorisation = {
        prepare: async (q: ListQuery) => {
          const [{ ListObjectsV2Command }, { getSignedUrl }, client] = await Promise.all([
            sdk(),
            import('@aws-sdk/s3-request-presigner'),
            this.client(),
          ]);
          const cmd = new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: q.prefix || undefined,
            Delimiter: q.delimiter || undefined,
            ContinuationToken: q.token || undefined,
            MaxKeys: q.maxKeys,
            EncodingType: 'url',
            OptionalObjectAttributes: ['RestoreStatus'],
          });
          // The headers stay headers, signed (not hoisted into the query), and are sent as signed.
          const listHeaders = { ...headers, ...LIST_HEADERS };
          const url = await getSignedUrl(client, cmd, {
            expiresIn: 15 * 60,
            unhoistableHeaders: new Set(Object.keys(listHeaders)),
          });
          return { ...splitUrl(url), headers: { ...listHeaders, 'user-agent': 'archive-cli' } };
        },
      };
    }
    return this.listAuthorisation;
  }

  private pages(prefix: string, delimiter: string) {
    return listObjectPages(this.listAuth(), { prefix, delimiter, pageSize: listChunk(LIST_PAGE), onRequest: () => this.listRequests++ });
  }

  describe(): string {
    return `s3://${this.container}`;
  }

  private bucket(): string {
    if (!this.container)
      throw new UsageError('the location names no bucket: this command reads one', {
        hint: 'name it: s3://BUCKET/PREFIX (`archive buckets` lists them)',
      });
    return this.container;
  }

  private fail(err: unknown, op: Operation, key?: string): Error {
    return mapS3Error(err, op, key !== undefined ? `${this.describe()}/${key}` : this.describe(), {
      bucket: this.container,
      requestPayer: this.target.requestPayer,
    });
  }

  async *listContainers(): AsyncIterable<ContainerInfo> {
    let token: string | undefined;
    try {
      do {
        const [{ ListBucketsCommand }, client] = await Promise.all([sdk(), this.client()]);
        const res = await client.send(new ListBucketsCommand({ ContinuationToken: token }));
        for (const b of res.Buckets ?? []) if (b.Name) yield { name: b.Name, lastModified: b.CreationDate };
        token = res.ContinuationToken;
      } while (token);
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

  /** Delimiter listing for the pruning planner: direct objects and common prefixes, page by page. */
  async *listLevel(prefix: string, delimiter = '/'): AsyncIterable<LevelPage> {
    this.bucket();
    yield* pagedListings.level(this.pages(prefix, delimiter), (e) => this.fail(e, 'list'));
  }

  async stat(key: string): Promise<ObjectInfo> {
    return mapFailure(
      async () => {
        const [{ HeadObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
        const r = await client.send(new HeadObjectCommand({ Bucket: this.bucket(), Key: key }));
        return {
          key,
          size: r.ContentLength ?? 0,
          lastModified: r.LastModified ?? new Date(0),
          etag: r.ETag?.replace(/"/g, ''),
          contentEncoding: r.ContentEncoding || undefined,
          contentType: r.ContentType || undefined,
          serverSideEncryption: r.SSECustomerAlgorithm ? 'SSE-C' : r.ServerSideEncryption || undefined,
          // HEAD names no class for STANDARD objects.
          tier: r.StorageClass || 'STANDARD',
          ...(r.ArchiveStatus ? { archiveAccess: r.ArchiveStatus } : {}),
          ...(r.Restore ? { restore: parseAmzRestore(r.Restore) } : {}),
        };
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  /** Presigned GETs through undici (s3-fast-read.ts) for every credential type, unless disabled. */
  private fast(): Promise<S3FastReader | undefined> {
    this.fastReader ??= fastReadsEnabled()
      ? Promise.all([import('./s3-fast-read.js'), this.client()]).then(
          ([m, client]) => new m.S3FastReader(client, this.bucket(), targetHeaders(this.target)),
        )
      : Promise.resolve(undefined);
    return this.fastReader;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const fast = await this.fast();
    if (fast)
      return mapFailure(
        () => fast.read(key, opts),
        (e) => this.fail(e, 'read', key),
      );
    const { range, signal, ifMatch } = opts;
    const Range = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
    return mapFailure(
      async () => {
        const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
        const r = await client.send(
          new GetObjectCommand({ Bucket: this.bucket(), Key: key, Range, IfMatch: ifMatch ? `"${ifMatch}"` : undefined }),
          {
            abortSignal: signal,
          },
        );
        if (!r.Body) throw new ArchiveError(`read ${key}: empty response body`);
        return r.Body as Readable;
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  async put(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<void> {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    await mapFailure(
      async () => {
        const [{ PutObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
        await client.send(
          new PutObjectCommand({
            Bucket: this.bucket(),
            Key: key,
            Body: buf,
            ContentType: opts.contentType,
            ContentEncoding: opts.contentEncoding,
          }),
        );
      },
      (e) => this.fail(e, 'write', key),
    );
  }

  async delete(key: string): Promise<void> {
    await mapFailure(
      async () => {
        const [{ DeleteObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
        await client.send(new DeleteObjectCommand({ Bucket: this.bucket(), Key: key }));
      },
      (e) => this.fail(e, 'delete', key),
    );
  }

  /**
   * RestoreObject: 202 a restore started, 200 a restored copy exists (its expiry is now counted
   * from this request), 409 RestoreAlreadyInProgress, 403 InvalidObjectState: not in an archive class.
   */
  async restore(key: string, req: RestoreRequest): Promise<RestoreAnswer> {
    if (req.provider !== 's3') throw new ArchiveError(`restore ${key}: an Azure restore request cannot go to S3`);
    try {
      const [{ RestoreObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
      const r = await client.send(
        new RestoreObjectCommand({
          Bucket: this.bucket(),
          Key: key,
          RestoreRequest: { ...(req.days !== undefined ? { Days: req.days } : {}), GlacierJobParameters: { Tier: req.tier } },
        }),
      );
      return r.$metadata.httpStatusCode === 200 ? 'restored' : 'requested';
    } catch (e) {
      const code = (e as S3ErrorLike)?.Code ?? (e as S3ErrorLike)?.name;
      if (code === 'RestoreAlreadyInProgress') return 'in-progress';
      if (code === 'InvalidObjectState') return 'not-archived';
      throw this.fail(e, 'restore', key);
    }
  }
}

export async function openS3(target: S3Target): Promise<StorageProvider> {
  return new S3Provider(target);
}
