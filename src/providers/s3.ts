/**
 * Amazon S3 (and S3-compatible) provider on @aws-sdk/client-s3, loaded lazily.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ArchiveError, AuthError, NotFoundError } from '../errors.js';
import { redact } from '../redact.js';
import type { S3Target } from '../target.js';
import { s3Hint, type Operation } from './hints.js';
import { changedMidRead, mapFailure, transientFailure } from './provider-errors.js';
import type { ContainerInfo, LevelPage, ObjectInfo, PutOptions, ReadOptions, StorageProvider } from './types.js';
import { fastReadsEnabled } from './http-get.js';
import { S3FastReader } from './s3-fast-read.js';

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

export async function createS3Client(t: S3Target): Promise<S3Client> {
  return new S3Client({
    region: t.region ?? 'us-east-1',
    endpoint: t.endpoint,
    forcePathStyle: t.forcePathStyle ?? !!t.endpoint,
    credentials: await credentialsFor(t),
    maxAttempts: 4,
    // Checksums on upload would use aws-chunked framing that some S3-compatible stores keep verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

interface S3ErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

export function mapS3Error(err: unknown, op: Operation, what: string): Error {
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
  if (status === 401 || status === 403 || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'AccessDenied') {
    const c = code ?? 'AccessDenied';
    return new AuthError(`${op} ${what}: permission denied`, { serviceCode: c, hint: s3Hint(c, op), status, cause: err });
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
  private fastReader?: S3FastReader | null;

  constructor(
    target: S3Target,
    private readonly client: S3Client,
  ) {
    this.container = target.bucket;
  }

  describe(): string {
    return `s3://${this.container}`;
  }

  private bucket(): string {
    if (!this.container) throw new ArchiveError('this command needs a bucket in the location', { hint: 'use s3://BUCKET/PREFIX' });
    return this.container;
  }

  private fail(err: unknown, op: Operation, key?: string): Error {
    return mapS3Error(err, op, key !== undefined ? `${this.describe()}/${key}` : this.describe());
  }

  async *listContainers(): AsyncIterable<ContainerInfo> {
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(new ListBucketsCommand({ ContinuationToken: token }));
        for (const b of res.Buckets ?? []) if (b.Name) yield { name: b.Name, lastModified: b.CreationDate };
        token = res.ContinuationToken;
      } while (token);
    } catch (e) {
      throw this.fail(e, 'containers');
    }
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    const Bucket = this.bucket();
    try {
      for await (const page of paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket, Prefix: prefix || undefined })) {
        this.listRequests++;
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          yield {
            key: o.Key,
            size: o.Size ?? 0,
            lastModified: o.LastModified ?? new Date(0),
            etag: o.ETag?.replace(/"/g, ''),
            isFolder: o.Key.endsWith('/') || undefined,
          };
        }
      }
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    const Bucket = this.bucket();
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client, pageSize: 1000 },
        { Bucket, Prefix: prefix || undefined, Delimiter: '/' },
      )) {
        this.listRequests++;
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) yield p.Prefix;
      }
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  /** Delimiter listing for the pruning planner: direct objects and common prefixes, page by page. */
  async *listLevel(prefix: string): AsyncIterable<LevelPage> {
    const Bucket = this.bucket();
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client, pageSize: 1000 },
        { Bucket, Prefix: prefix || undefined, Delimiter: '/' },
      )) {
        this.listRequests++;
        const objects: ObjectInfo[] = [];
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          const info: ObjectInfo = {
            key: o.Key,
            size: o.Size ?? 0,
            lastModified: o.LastModified ?? new Date(0),
            etag: o.ETag?.replace(/"/g, ''),
          };
          if (o.Key.endsWith('/')) info.isFolder = true;
          objects.push(info);
        }
        const prefixes: string[] = [];
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
        yield { objects, prefixes };
      }
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  async stat(key: string): Promise<ObjectInfo> {
    return mapFailure(
      async () => {
        const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket(), Key: key }));
        return {
          key,
          size: r.ContentLength ?? 0,
          lastModified: r.LastModified ?? new Date(0),
          etag: r.ETag?.replace(/"/g, ''),
          contentEncoding: r.ContentEncoding || undefined,
          contentType: r.ContentType || undefined,
          serverSideEncryption: r.SSECustomerAlgorithm ? 'SSE-C' : r.ServerSideEncryption || undefined,
        };
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  /** Presigned GETs through undici (s3-fast-read.ts) for every credential type, unless disabled. */
  private fast(): S3FastReader | undefined {
    if (this.fastReader === undefined) this.fastReader = fastReadsEnabled() ? new S3FastReader(this.client, this.bucket()) : null;
    return this.fastReader ?? undefined;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const fast = this.fast();
    if (fast)
      return mapFailure(
        () => fast.read(key, opts),
        (e) => this.fail(e, 'read', key),
      );
    const { range, signal, ifMatch } = opts;
    const Range = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
    return mapFailure(
      async () => {
        const r = await this.client.send(
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
      () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket(),
            Key: key,
            Body: buf,
            ContentType: opts.contentType,
            ContentEncoding: opts.contentEncoding,
          }),
        ),
      (e) => this.fail(e, 'write', key),
    );
  }

  async delete(key: string): Promise<void> {
    await mapFailure(
      () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket(), Key: key })),
      (e) => this.fail(e, 'delete', key),
    );
  }
}

export async function openS3(target: S3Target): Promise<StorageProvider> {
  return new S3Provider(target, await createS3Client(target));
}
