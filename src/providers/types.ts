/**
 * The one storage abstraction every command goes through (like rclone's `fs`). Implementations
 * live beside this file and are the only modules allowed to import a cloud SDK.
 */
import type { Readable } from 'node:stream';

export type ProviderKind = 'azure' | 's3' | 'gcs';

export interface ContainerInfo {
  name: string;
  lastModified?: Date;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  /** Quotes stripped. For S3 single-part uploads this is the hex MD5 of the body. */
  etag?: string;
  /** Base64 MD5 of the whole object when the service stores one (never assume it exists). */
  contentMd5?: string;
  contentEncoding?: string;
  contentType?: string;
  /** S3 only, from HEAD: with SSE-KMS/SSE-C the ETag is not an MD5 of the body. */
  serverSideEncryption?: string;
  /**
   * A directory marker, never a file: a key ending in '/' (S3 console "Create folder", portals,
   * sync tools) or, on Azure, a zero-byte blob with metadata hdi_isfolder=true (ADLS Gen2 flat
   * listings, blobfuse). Set by the listings (listObjects and listLevel).
   */
  isFolder?: boolean;
  /**
   * The access tier (Azure: Hot, Cool, Cold, Archive, …) or storage class (S3: STANDARD, GLACIER,
   * DEEP_ARCHIVE, INTELLIGENT_TIERING, …), spelled as the service spells it; undefined when it
   * did not say. Set by the listings and by stat.
   */
  tier?: string;
  /** S3 Intelligent-Tiering, from HEAD only: ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS while the object sits in one. */
  archiveAccess?: string;
  /** A rehydration (Azure) or restore (S3) the service reports for this object. */
  restore?: RestoreInfo;
}

/**
 * What the service says of a rehydration or restore: Azure's ArchiveStatus (a blob still in the
 * Archive tier, rehydrating) or S3's x-amz-restore / RestoreStatus (ongoing, or a restored copy
 * readable until its expiry).
 */
export interface RestoreInfo {
  /** pending: requested, not readable yet; restored: a readable copy exists (S3, until `expiry`). */
  state: 'pending' | 'restored';
  /** Azure's ArchiveStatus as given (rehydrate-pending-to-hot, -to-cool, -to-cold, or a newer value). */
  status?: string;
  /** Azure: Standard or High, as given. */
  priority?: string;
  /** S3: when the restored copy is removed again. */
  expiry?: Date;
}

/** A restore request, as `archive restore` makes it (validated before it reaches a provider). */
export type RestoreRequest =
  | {
      provider: 'azure';
      /** The online tier to rehydrate to. */
      tier: 'Hot' | 'Cool' | 'Cold';
      priority: 'Standard' | 'High';
      /** Copy the blob to this key in `tier` (Copy Blob) instead of changing its own tier. */
      copyTo?: string;
    }
  | {
      provider: 's3';
      /** Days the restored copy stays; undefined for Intelligent-Tiering archive tiers (which take none). */
      days?: number;
      tier: 'Standard' | 'Bulk' | 'Expedited';
    };

/**
 * What the service answered a restore request: `requested` (accepted: 202), `in-progress` (one is
 * already under way: S3 409 RestoreAlreadyInProgress, Azure 409 BlobBeingRehydrated), `restored`
 * (already readable: S3 200, Azure 200), `exists` (the copy's destination exists already),
 * `not-archived` (S3 InvalidObjectState: the object is not in an archive class).
 */
export type RestoreAnswer = 'requested' | 'in-progress' | 'restored' | 'exists' | 'not-archived';

export interface ByteRange {
  start: number;
  /** Inclusive end offset; omitted means to the end of the object. */
  end?: number;
}

export interface ReadOptions {
  range?: ByteRange;
  signal?: AbortSignal;
  /** When given, the read fails if the object changed since (ETag no longer matches). */
  ifMatch?: string;
}

export interface PutOptions {
  contentType?: string;
  contentEncoding?: string;
}

/**
 * One page of a delimiter listing: the objects directly under the prefix and the common prefixes
 * (each ending in the delimiter: "folders" for '/'), each list in the service's lexicographic
 * order. Pages follow each other in key order, so merging a page's two lists gives the flat
 * listing's order, whatever the delimiter.
 */
export interface LevelPage {
  objects: ObjectInfo[];
  prefixes: string[];
  /** Whether another page follows (the service said the listing is truncated). */
  more?: boolean;
}

export interface StorageProvider {
  readonly kind: ProviderKind;
  /** Container (Azure) or bucket (S3) the object operations act on; '' when only listing containers. */
  readonly container: string;
  /** Human description of the target with no secret in it, e.g. az://acct/container. */
  describe(): string;
  listContainers(): AsyncIterable<ContainerInfo>;
  /** Every object under the prefix, pages followed, in the service's (lexicographic) order. */
  listObjects(prefix: string): AsyncIterable<ObjectInfo>;
  /** One level of "folders" under the prefix (delimiter '/'). */
  listPrefixes(prefix: string): AsyncIterable<string>;
  /**
   * One level under the prefix through delimiter listings, pages followed: the objects with no
   * `delimiter` after the prefix AND the common prefixes (everything up to its first occurrence).
   * '/' (the default) gives direct objects and folders; the pruning planner also groups by other
   * strings (listing/plan.ts). Errors are mapped like listObjects' (AuthError, NotFoundError,
   * TransientError…).
   */
  listLevel?(prefix: string, delimiter?: string): AsyncIterable<LevelPage>;
  /** LIST requests answered so far (one per page of any listing), for --explain and --json totals. */
  readonly listRequests?: number;
  stat(key: string): Promise<ObjectInfo>;
  /** The stored bytes as a stream, never inflated by the HTTP layer (Content-Encoding is ignored). */
  read(key: string, opts?: ReadOptions): Promise<Readable>;
  put(key: string, body: Buffer | string, opts?: PutOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Asks the service to make an archived object readable: Set Blob Tier or Copy Blob (Azure),
   * RestoreObject (S3). Errors are mapped with the operation `restore` (its role/action hints).
   */
  restore?(key: string, req: RestoreRequest): Promise<RestoreAnswer>;
}

/**
 * online: readable (any online tier or class); archived: in an archive tier with no restore asked
 * for; restoring: a rehydration/restore is under way, not readable yet; restored: S3 only, a
 * restored copy is readable (until its expiry).
 */
export type ColdState = 'online' | 'archived' | 'restoring' | 'restored';
