/**
 * Azure Blob Storage provider on @azure/storage-blob. Loaded only through providers/index.ts
 * (dynamic import) so commands that never touch Azure do not pay for the SDK.
 */
import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { Readable } from 'node:stream';
import { ArchiveError, AuthError, NotFoundError, TransientError } from '../errors.js';
import { redact } from '../redact.js';
import { parseConnectionString, type AzureTarget } from '../target.js';
import { azureHint, networkHint, type Operation } from './hints.js';
import { mapIdentityError } from './azure-identity-errors.js';
import { AzureFastReader, azureReadAuthoriser } from './azure-fast-read.js';
import { fastReadsEnabled } from './http-get.js';
import type { ContainerInfo, ObjectInfo, PutOptions, ReadOptions, StorageProvider } from './types.js';

/**
 * Blobs per List Blobs page. The SDK holds ~60-90 MB of parsed XML per 5000-blob page, which let
 * RSS climb to ~500 MiB over 100k keys; 1000 keeps it near 165 MiB at the cost of more round trips.
 */
const LIST_PAGE = 1000;

const PIPELINE: StoragePipelineOptions = {
  // The SDK default (4 tries, 4 s base delay) makes a typo'd endpoint hang for half a minute.
  retryOptions: { maxTries: 4, retryDelayInMs: 400, maxRetryDelayInMs: 8_000 },
  userAgentOptions: { userAgentPrefix: 'archive-cli' },
};

/**
 * Instance discovery asks login.microsoftonline.com to vouch for the authority; a private authority
 * (Azure Stack, a sovereign-cloud proxy, a test STS) cannot be vouched for that way.
 */
function customAuthority(host: string | undefined): boolean {
  if (!host) return false;
  const known = ['login.microsoftonline.com', 'login.chinacloudapi.cn', 'login.microsoftonline.us', 'login.microsoftonline.de'];
  try {
    return !known.includes(new URL(host).hostname.toLowerCase());
  } catch {
    return false;
  }
}

async function tokenCredential(auth: AzureTarget['auth']): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  switch (auth.type) {
    case 'service-principal':
      return new identity.ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, {
        authorityHost: auth.authorityHost,
        disableInstanceDiscovery: customAuthority(auth.authorityHost),
      });
    case 'device-code':
      return new identity.DeviceCodeCredential({
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        authorityHost: auth.authorityHost,
        disableInstanceDiscovery: customAuthority(auth.authorityHost),
        // The prompt must go to stderr so stdout stays clean for --json and pipes.
        userPromptCallback: (info) => {
          process.stderr.write(`${info.message}\n`);
        },
      });
    default:
      return new identity.DefaultAzureCredential();
  }
}

export async function createServiceClient(t: Pick<AzureTarget, 'auth' | 'serviceUrl' | 'account'>): Promise<BlobServiceClient> {
  const auth = t.auth;
  switch (auth.type) {
    case 'sas':
      return new BlobServiceClient(`${t.serviceUrl}?${auth.token.replace(/^\?/, '')}`, new AnonymousCredential(), PIPELINE);
    case 'key':
      return new BlobServiceClient(t.serviceUrl, new StorageSharedKeyCredential(auth.accountName, auth.accountKey), PIPELINE);
    case 'connection-string': {
      const p = parseConnectionString(auth.connectionString);
      // The location's endpoint wins: the connection string only lends its credential.
      if (p.accountKey && p.accountName) {
        return new BlobServiceClient(t.serviceUrl, new StorageSharedKeyCredential(p.accountName, p.accountKey), PIPELINE);
      }
      if (p.sas) return new BlobServiceClient(`${t.serviceUrl}?${p.sas}`, new AnonymousCredential(), PIPELINE);
      return BlobServiceClient.fromConnectionString(auth.connectionString, PIPELINE);
    }
    case 'anonymous':
      return new BlobServiceClient(t.serviceUrl, new AnonymousCredential(), PIPELINE);
    default:
      return new BlobServiceClient(t.serviceUrl, await tokenCredential(auth), PIPELINE);
  }
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { errorCode?: string };
  name?: string;
}

export function mapAzureError(err: unknown, op: Operation, what: string, usingSas: boolean): Error {
  if (err instanceof ArchiveError) return err;
  const e = err as RestErrorLike;
  if (e?.name === 'AbortError') return err as Error;
  const identity = mapIdentityError(err, op, what);
  if (identity) return identity;
  const code = e?.details?.errorCode ?? (e?.code && !/^E[A-Z]+$/.test(e.code) && e.code !== 'REQUEST_SEND_ERROR' ? e.code : undefined);
  const status = e?.statusCode;
  const netCode = (err as { code?: string; cause?: { code?: string } })?.cause?.code ?? e?.code;
  if (status === 401 || status === 403 || e?.name === 'CredentialUnavailableError' || e?.name === 'AuthenticationError') {
    const c = code ?? (status ? undefined : e?.name);
    return new AuthError(`${op} ${what}: permission denied`, {
      serviceCode: c ?? (status === 403 ? 'AuthorizationFailure' : 'AuthenticationFailed'),
      hint: azureHint(c ?? 'AuthorizationFailure', op, usingSas) ?? redact(String(e?.message ?? '')).split('\n')[0],
      status,
      cause: err,
    });
  }
  if (status === 404) {
    const c = code ?? (what.includes('/') ? 'BlobNotFound' : 'ContainerNotFound');
    return new NotFoundError(`${op} ${what}: not found`, { serviceCode: c, hint: azureHint(c, op, usingSas), status, cause: err });
  }
  if (status === 412 || code === 'ConditionNotMet' || code === 'PreconditionFailed') {
    return new ArchiveError(`${op} ${what}: the object changed while it was being read`, {
      serviceCode: code ?? 'PreconditionFailed',
      hint: 'a writer replaced the object mid-transfer; run the command again to fetch the new version',
      status,
      cause: err,
    });
  }
  if (status === 429 || status === 500 || status === 503 || (!status && netCode && /^E[A-Z]+$/.test(netCode))) {
    return new TransientError(`${op} ${what}: ${status ? `service answered ${status}` : `network error ${netCode}`}`, {
      serviceCode: code ?? netCode,
      hint: networkHint(netCode),
      status,
      cause: err,
    });
  }
  const msg = redact(String(e?.message ?? err)).split('\n')[0];
  return new ArchiveError(`${op} ${what}: ${msg}`, { serviceCode: code, status, cause: err });
}

export class AzureProvider implements StorageProvider {
  readonly kind = 'azure' as const;
  readonly container: string;
  private readonly usingSas: boolean;
  private readonly containerClient?: ContainerClient;
  private fastReader?: Promise<AzureFastReader | undefined>;

  constructor(
    private readonly target: AzureTarget,
    private readonly service: BlobServiceClient,
  ) {
    this.container = target.container;
    this.usingSas = target.auth.type === 'sas';
    if (target.container) this.containerClient = service.getContainerClient(target.container);
  }

  describe(): string {
    return `az://${this.target.account}${this.container ? '/' + this.container : ''}`;
  }

  private cc(): ContainerClient {
    if (!this.containerClient) throw new ArchiveError('this command needs a container in the location', { hint: 'use az://ACCOUNT/CONTAINER/PREFIX' });
    return this.containerClient;
  }

  private fail(err: unknown, op: Operation, key?: string): Error {
    return mapAzureError(err, op, key !== undefined ? `${this.describe()}/${key}` : this.describe(), this.usingSas);
  }

  async *listContainers(): AsyncIterable<ContainerInfo> {
    try {
      for await (const page of this.service.listContainers().byPage({ maxPageSize: 5000 })) {
        for (const c of page.containerItems ?? []) yield { name: c.name, lastModified: c.properties.lastModified };
      }
    } catch (e) {
      throw this.fail(e, 'containers');
    }
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    const cc = this.cc();
    try {
      for await (const page of cc.listBlobsFlat({ prefix: prefix || undefined }).byPage({ maxPageSize: LIST_PAGE })) {
        for (const b of page.segment.blobItems) {
          const p = b.properties;
          yield {
            key: b.name,
            size: p.contentLength ?? 0,
            lastModified: p.lastModified,
            etag: p.etag?.replace(/"/g, ''),
            contentMd5: p.contentMD5 && p.contentMD5.length ? Buffer.from(p.contentMD5).toString('base64') : undefined,
            contentEncoding: p.contentEncoding || undefined,
            contentType: p.contentType || undefined,
          };
        }
      }
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    const cc = this.cc();
    try {
      for await (const page of cc.listBlobsByHierarchy('/', { prefix: prefix || undefined }).byPage({ maxPageSize: 5000 })) {
        for (const p of page.segment.blobPrefixes ?? []) yield p.name;
      }
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  async stat(key: string): Promise<ObjectInfo> {
    try {
      const p = await this.cc().getBlobClient(key).getProperties();
      return {
        key,
        size: p.contentLength ?? 0,
        lastModified: p.lastModified ?? new Date(0),
        etag: p.etag?.replace(/"/g, ''),
        contentMd5: p.contentMD5 && p.contentMD5.length ? Buffer.from(p.contentMD5).toString('base64') : undefined,
        contentEncoding: p.contentEncoding || undefined,
        contentType: p.contentType || undefined,
      };
    } catch (e) {
      throw this.fail(e, 'read', key);
    }
  }

  /** The lean GET path where this credential allows it (azure-fast-read.ts), else undefined. */
  private fast(): Promise<AzureFastReader | undefined> {
    this.cc(); // a container is needed either way: the same error as the SDK path
    this.fastReader ??= fastReadsEnabled()
      ? Promise.resolve(azureReadAuthoriser(this.target, this.service)).then((a) => (a ? new AzureFastReader(this.target.serviceUrl, this.container, a) : undefined))
      : Promise.resolve(undefined);
    return this.fastReader;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const fast = await this.fast();
    if (fast) {
      try {
        return await fast.read(key, opts);
      } catch (e) {
        throw this.fail(e, 'read', key);
      }
    }
    const { range, signal, ifMatch } = opts;
    const offset = range?.start ?? 0;
    const count = range && range.end !== undefined ? range.end - range.start + 1 : undefined;
    try {
      const res = await this.cc()
        .getBlobClient(key)
        .download(offset, count, {
          abortSignal: signal,
          conditions: ifMatch ? { ifMatch: `"${ifMatch}"` } : undefined,
          // Truncated bodies are resumed by the pull engine, which knows what reached the disk.
          maxRetryRequests: 0,
        });
      if (!res.readableStreamBody) throw new ArchiveError(`read ${key}: empty response body`);
      return res.readableStreamBody as Readable;
    } catch (e) {
      throw this.fail(e, 'read', key);
    }
  }

  async put(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<void> {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    try {
      await this.cc()
        .getBlockBlobClient(key)
        .upload(buf, buf.length, {
          blobHTTPHeaders: { blobContentType: opts.contentType, blobContentEncoding: opts.contentEncoding },
        });
    } catch (e) {
      throw this.fail(e, 'write', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.cc().getBlobClient(key).delete();
    } catch (e) {
      throw this.fail(e, 'delete', key);
    }
  }
}

export async function openAzure(target: AzureTarget): Promise<StorageProvider> {
  return new AzureProvider(target, await createServiceClient(target));
}
