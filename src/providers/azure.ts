/**
 * Azure Blob Storage provider on @azure/storage-blob. Loaded only through providers/index.ts
 * (dynamic import) so commands that never touch Azure do not pay for the SDK; the SDK itself is
 * imported on first use only: listings with a SAS, anonymous access or the account key go
 * through azure-list.ts and never load it (a 10-key `archive list` started ~90 ms sooner on
 * Azurite, see README "Listing").
 */
import { listChunk } from './list-chunk.js';
import type { BlobServiceClient, ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { HttpClient, Pipeline } from '@azure/core-rest-pipeline';
import { parseListBlobs, type ListBlobsPage } from './azure-list-xml.js';
import { AzureLister, leanListCredential } from './azure-list.js';
import type { Readable } from 'node:stream';
import { ArchiveError, ArchivedError, AuthError, NotFoundError, UsageError } from '../errors.js';
import { redact } from '../redact.js';
import type { AzureTarget } from './target-types.js';
import { parseConnectionString } from './azure-connection-string.js';
import { azureHint, type Operation } from './hints.js';
import { changedMidRead, mapFailure, transientFailure } from './provider-errors.js';
import { mapIdentityError } from './azure-identity-errors.js';
import { explainSasRefusal, targetSasToken } from './sas-expiry.js';
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
import type { AzureFastReader } from './azure-fast-read.js';
import { fastReadsEnabled } from './http-get.js';

type BlobSdk = typeof import('@azure/storage-blob');
let sdkModule: Promise<BlobSdk> | undefined;
/** The SDK module, loaded once on first use. */
function sdk(): Promise<BlobSdk> {
  sdkModule ??= import('@azure/storage-blob');
  return sdkModule;
}

/**
 * Blobs per List Blobs page, the service maximum. The SDK held ~60-90 MB of parsed XML per
 * 5000-blob page (hence 1000 before); the lean reader (azure-list-xml.ts) holds the ~3.5 MB body
 * text and the results only.
 */
const LIST_PAGE = 5000;

/** The part of the SDK's generated client the lean listing uses: its pipeline and API version. */
interface StorageContext {
  version?: string;
  pipeline: Pipeline;
}

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
  const { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential } = await sdk();
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

/** `host`: the endpoint's host[:port], named in network errors (it carries no secret; the SAS is not part of it). */
export function mapAzureError(err: unknown, op: Operation, what: string, usingSas: boolean, host?: string): Error {
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
  if (code === 'BlobArchived' || code === 'BlobBeingRehydrated') {
    const state = code === 'BlobArchived' ? 'is in the Archive tier' : 'is being rehydrated from the Archive tier';
    return new ArchivedError(`${op} ${what}: the blob ${state}`, {
      serviceCode: code,
      hint: azureHint(code, op, usingSas),
      status,
      cause: err,
    });
  }
  if (status === 404) {
    const c = code ?? (what.includes('/') ? 'BlobNotFound' : 'ContainerNotFound');
    return new NotFoundError(`${op} ${what}: not found`, { serviceCode: c, hint: azureHint(c, op, usingSas), status, cause: err });
  }
  const facts = { status, code, netCode, host };
  const changed = changedMidRead(op, what, facts, err) ?? transientFailure(op, what, facts, err);
  if (changed) return changed;
  const msg = redact(String(e?.message ?? err)).split('\n')[0];
  return new ArchiveError(`${op} ${what}: ${msg}`, { serviceCode: code, status, cause: err });
}

/** Both forms of an Azure "directory": a name ending in '/', or an ADLS Gen2 / blobfuse stub. */
export function isFolderBlob(name: string, size: number, metadata: Record<string, string> | undefined): boolean {
  if (name.endsWith('/')) return true;
  if (size !== 0 || !metadata) return false;
  return Object.entries(metadata).some(([k, v]) => k.toLowerCase() === 'hdi_isfolder' && v.toLowerCase() === 'true');
}

/**
 * A name with '.' or '..' segments (creatable over raw REST) cannot be addressed: every URL layer
 * resolves the dots away, so a read would fetch another blob (ConditionNotMet) or none (404).
 */
function unaddressable(key: string, op: Operation, what: string): ArchiveError | undefined {
  if (!key.split('/').some((s) => s === '.' || s === '..')) return undefined;
  return new ArchiveError(
    `${op} ${what}: unsafe key: its '.'/'..' segments are resolved away in a URL, so this blob cannot be read by name`,
    {
      serviceCode: 'InvalidResourceName',
      hint: 'rename or copy the blob to a name without "." or ".." path segments (the Azure REST API with a literal path can)',
    },
  );
}

export class AzureProvider implements StorageProvider {
  readonly kind = 'azure' as const;
  readonly container: string;
  private readonly usingSas: boolean;
  private readonly sasToken?: string;
  private readonly host: string;
  private serviceClient?: Promise<BlobServiceClient>;
  /** Lean listing without the SDK, for the credentials azure-list.ts can authorise; else undefined. */
  private readonly lister?: AzureLister;
  listRequests = 0;
  private fastReader?: Promise<AzureFastReader | undefined>;

  constructor(private readonly target: AzureTarget) {
    this.container = target.container;
    this.usingSas = target.auth.type === 'sas';
    this.sasToken = targetSasToken(target);
    this.host = new URL(target.serviceUrl).host;
    const credential = leanListCredential(target);
    if (credential && target.container) this.lister = new AzureLister(target.serviceUrl, target.container, credential);
  }

  private service(): Promise<BlobServiceClient> {
    this.serviceClient ??= createServiceClient(this.target);
    return this.serviceClient;
  }

  describe(): string {
    return `az://${this.target.account}${this.container ? `/${this.container}` : ''}`;
  }

  private needContainer(): void {
    if (!this.container)
      throw new UsageError(`${this.describe()} names no container: this command reads one`, {
        hint: `name it: ${this.describe()}/CONTAINER/PREFIX (\`archive containers ${this.describe()}\` lists them)`,
      });
  }

  private async cc(): Promise<ContainerClient> {
    this.needContainer();
    return (await this.service()).getContainerClient(this.container);
  }

  private fail(err: unknown, op: Operation, key?: string): Error {
    // An expired/not-yet-valid SAS gets a bare 403 that reads like a firewall refusal: say which it is.
    return explainSasRefusal(
      mapAzureError(err, op, key !== undefined ? `${this.describe()}/${key}` : this.describe(), this.usingSas, this.host),
      this.sasToken,
    );
  }

  async *listContainers(): AsyncIterable<ContainerInfo> {
    try {
      const service = await this.service();
      for await (const page of service.listContainers().byPage({ maxPageSize: 5000 })) {
        for (const c of page.containerItems ?? []) yield { name: c.name, lastModified: c.properties.lastModified };
      }
    } catch (e) {
      throw this.fail(e, 'containers');
    }
  }

  /**
   * List Blobs pages through the SDK's own pipeline (credential, SAS, retries, proxy and TLS
   * settings as every other call) but read by the lean XML reader instead of the SDK's deserializer.
   * Errors are thrown in the SDK's RestError shape so mapAzureError maps them like any other.
   */
  private listPipeline?: { pipeline: Pipeline; http: HttpClient; version: string };

  private async *listPages(prefix: string, delimiter: string): AsyncIterable<ListBlobsPage> {
    this.needContainer();
    if (this.lister) {
      try {
        yield* this.lister.pages({ prefix, delimiter, maxResults: listChunk(LIST_PAGE), onRequest: () => this.listRequests++ });
      } catch (e) {
        throw this.fail(e, 'list');
      }
      return;
    }
    yield* this.sdkListPages(prefix, delimiter);
  }

  /** Token credentials: the SDK's pipeline (its bearer-token policy), the lean reader for the body. */
  private async *sdkListPages(prefix: string, delimiter: string): AsyncIterable<ListBlobsPage> {
    let cc: ContainerClient;
    let rest: typeof import('@azure/core-rest-pipeline');
    try {
      [cc, rest] = await Promise.all([this.cc(), import('@azure/core-rest-pipeline')]);
    } catch (e) {
      throw this.fail(e, 'list');
    }
    const { createDefaultHttpClient, createPipelineRequest } = rest;
    if (!this.listPipeline) {
      // A protected member of the SDK's StorageClient: the generated client every operation uses.
      // Its pipeline minus the deserialization policy, which would parse the XML into objects
      // (the cost this path exists to avoid).
      const ctx = (cc as unknown as { storageClientContext: StorageContext }).storageClientContext;
      const pipeline = ctx.pipeline.clone();
      pipeline.removePolicy({ name: 'deserializationPolicy' });
      this.listPipeline = { pipeline, http: createDefaultHttpClient(), version: ctx.version ?? '2025-11-05' };
    }
    const { pipeline, http, version } = this.listPipeline;
    const base = cc.url;
    let marker = '';
    try {
      do {
        // include=metadata: folder markers (hdi_isfolder=true) must be told apart from files.
        const q = new URLSearchParams({
          restype: 'container',
          comp: 'list',
          maxresults: String(listChunk(LIST_PAGE)),
          include: 'metadata',
        });
        if (prefix) q.set('prefix', prefix);
        if (delimiter) q.set('delimiter', delimiter);
        if (marker) q.set('marker', marker);
        const url = `${base}${base.includes('?') ? '&' : '?'}${q.toString()}`;
        const req = createPipelineRequest({ url, method: 'GET', allowInsecureConnection: url.startsWith('http:') });
        req.headers.set('x-ms-version', version);
        const res = await pipeline.sendRequest(http, req);
        this.listRequests++;
        const body = res.bodyAsText ?? '';
        if (res.status < 200 || res.status > 299) {
          const code = res.headers.get('x-ms-error-code') ?? /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
          const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.split('\n')[0] ?? `HTTP ${res.status}`;
          throw Object.assign(new Error(message), { name: 'RestError', statusCode: res.status, code, details: { errorCode: code } });
        }
        const page = parseListBlobs(body);
        marker = page.nextMarker;
        yield page;
      } while (marker);
    } catch (e) {
      throw this.fail(e, 'list');
    }
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix, '')) yield* page.objects;
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    for await (const page of this.listPages(prefix, '/')) yield* page.prefixes;
  }

  /** Delimiter listing for the pruning planner: one level, objects and folders, page by page. */
  async *listLevel(prefix: string, delimiter = '/'): AsyncIterable<LevelPage> {
    for await (const page of this.listPages(prefix, delimiter))
      yield { objects: page.objects, prefixes: page.prefixes, more: !!page.nextMarker };
  }

  async stat(key: string): Promise<ObjectInfo> {
    const unsafe = unaddressable(key, 'read', `${this.describe()}/${key}`);
    if (unsafe) throw unsafe;
    return mapFailure(
      async () => {
        const p = await (await this.cc()).getBlobClient(key).getProperties();
        return {
          key,
          size: p.contentLength ?? 0,
          lastModified: p.lastModified ?? new Date(0),
          etag: p.etag?.replace(/"/g, ''),
          contentMd5: p.contentMD5?.length ? Buffer.from(p.contentMD5).toString('base64') : undefined,
          contentEncoding: p.contentEncoding || undefined,
          contentType: p.contentType || undefined,
          tier: p.accessTier || undefined,
          ...(p.archiveStatus
            ? { restore: { state: 'pending' as const, status: p.archiveStatus, priority: p.rehydratePriority || undefined } }
            : {}),
        };
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  /** The lean GET path where this credential allows it (azure-fast-read.ts), else undefined. */
  private fast(): Promise<AzureFastReader | undefined> {
    this.needContainer(); // a container is needed either way: the same error as the SDK path
    this.fastReader ??= fastReadsEnabled()
      ? Promise.all([import('./azure-fast-read.js'), this.service()]).then(([m, service]) => {
          const a = m.azureReadAuthoriser(this.target, service);
          return a ? new m.AzureFastReader(this.target.serviceUrl, this.container, a) : undefined;
        })
      : Promise.resolve(undefined);
    return this.fastReader;
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    const unsafe = unaddressable(key, 'read', `${this.describe()}/${key}`);
    if (unsafe) throw unsafe;
    const fast = await this.fast();
    if (fast)
      return mapFailure(
        () => fast.read(key, opts),
        (e) => this.fail(e, 'read', key),
      );
    const { range, signal, ifMatch } = opts;
    const offset = range?.start ?? 0;
    const count = range && range.end !== undefined ? range.end - range.start + 1 : undefined;
    return mapFailure(
      async () => {
        const res = await (await this.cc()).getBlobClient(key).download(offset, count, {
          abortSignal: signal,
          conditions: ifMatch ? { ifMatch: `"${ifMatch}"` } : undefined,
          // Truncated bodies are resumed by the pull engine, which knows what reached the disk.
          maxRetryRequests: 0,
        });
        if (!res.readableStreamBody) throw new ArchiveError(`read ${key}: empty response body`);
        return res.readableStreamBody as Readable;
      },
      (e) => this.fail(e, 'read', key),
    );
  }

  async put(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<void> {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    await mapFailure(
      async () =>
        (await this.cc())
          .getBlockBlobClient(key)
          .upload(buf, buf.length, { blobHTTPHeaders: { blobContentType: opts.contentType, blobContentEncoding: opts.contentEncoding } }),
      (e) => this.fail(e, 'write', key),
    );
  }

  async delete(key: string): Promise<void> {
    await mapFailure(
      async () => (await this.cc()).getBlobClient(key).delete(),
      (e) => this.fail(e, 'delete', key),
    );
  }

  /**
   * Set Blob Tier to an online tier (202: rehydration started; 200: the blob was online already),
   * or with `copyTo` Copy Blob into a new blob in that tier, only if none exists there (the
   * archived source stays as it is). 409 BlobBeingRehydrated: a rehydration to another tier is under way.
   */
  async restore(key: string, req: RestoreRequest): Promise<RestoreAnswer> {
    if (req.provider !== 'azure') throw new ArchiveError(`restore ${key}: an S3 restore request cannot go to Azure`);
    for (const k of req.copyTo === undefined ? [key] : [key, req.copyTo]) {
      const unsafe = unaddressable(k, 'restore', `${this.describe()}/${k}`);
      if (unsafe) throw unsafe;
    }
    const code = (e: unknown) => (e as RestErrorLike)?.details?.errorCode ?? (e as RestErrorLike)?.code;
    const cc = await mapFailure(
      () => this.cc(),
      (e) => this.fail(e, 'restore', key),
    );
    if (req.copyTo !== undefined) {
      const destination = req.copyTo;
      try {
        // Same account: the destination's credential authorises the source (a SAS rides on its URL).
        await cc.getBlobClient(destination).beginCopyFromURL(cc.getBlobClient(key).url, {
          tier: req.tier,
          rehydratePriority: req.priority,
          conditions: { ifNoneMatch: '*' },
        });
        return 'requested';
      } catch (e) {
        if (code(e) === 'BlobAlreadyExists' || code(e) === 'ConditionNotMet' || (e as RestErrorLike)?.statusCode === 412) return 'exists';
        throw this.fail(e, 'restore', destination);
      }
    }
    try {
      const res = await cc.getBlobClient(key).setAccessTier(req.tier, { rehydratePriority: req.priority });
      return res._response.status === 202 ? 'requested' : 'restored';
    } catch (e) {
      if (code(e) === 'BlobBeingRehydrated') return 'in-progress';
      throw this.fail(e, 'restore', key);
    }
  }
}

/** Credentials that sign in to Entra ID and send a bearer token, which the SDK refuses over plain http. */
const TOKEN_AUTH = new Set<AzureTarget['auth']['type']>(['default', 'service-principal', 'device-code']);

export async function openAzure(target: AzureTarget): Promise<StorageProvider> {
  // An emulator URL (http) with no credential of its own falls to the default chain, whose bearer
  // token the SDK will not send without TLS: say what to give instead of the SDK's sentence.
  if (TOKEN_AUTH.has(target.auth.type) && /^http:/i.test(target.serviceUrl)) {
    const what = target.auth.type === 'default' ? 'no credential was given' : `--auth ${target.auth.type} signs in to Entra ID`;
    throw new AuthError(`${target.serviceUrl} is plain http and ${what}: an Entra ID token is only sent over https`, {
      serviceCode: 'NoCredential',
      hint: 'for an emulator or another http endpoint give its connection string (AZURE_STORAGE_CONNECTION_STRING), a SAS URL, AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY, or a profile with --auth key',
    });
  }
  return new AzureProvider(target);
}
