/**
 * Downloads one object to its final path without ever leaving an incomplete file under that name:
 * bytes go to `<final>.archive-part` (with a small JSON state file beside it so a later run can
 * resume), are verified (size always, MD5 where the service provides one), then renamed into place.
 *
 * Four shapes:
 *  - small object, stored as is:      one ranged stream, resumable from the part file's length
 *  - large object, stored as is:      parallel ranged chunks into a sparse part file, resumable per chunk
 *  - small object, --decompress:      one stream decoded on the fly into `<final>.archive-tmp`
 *    (names ending .zst/.gz; what is decoded is decided by the bytes, not the name)
 *  - large object, --decompress:      parallel raw download as above, then decoded from disk when
 *    its bytes are compressed (any name), else kept as downloaded
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type Duplex, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LimitFunction } from 'p-limit';
import { SNIFF_BYTES, codecFor, createDecoder, sniffCodec, type Codec } from '../decompress/index.js';
import { ArchiveError, IntegrityError } from '../errors.js';
import type { ObjectInfo, StorageProvider } from '../providers/types.js';
import { FileSink, PositionalWriter } from './file-writer.js';
import { resilientRead, type RetryPolicy } from '../providers/resilient-read.js';
import { createFresh, openExisting, readNoFollow, writeAtomic } from './exclusive-fs.js';
import type { EndpointHealth } from './endpoint-health.js';
import type { PulledRecords } from './pulled-record.js';

export const PART_SUFFIX = '.archive-part';
export const STATE_SUFFIX = '.archive-part.json';
export const TMP_SUFFIX = '.archive-tmp';
const RESUME_MIN_BYTES = 4 << 20;

export interface TransferOptions {
  provider: StorageProvider;
  /** Limits concurrent HTTP streams across all objects. */
  streams: LimitFunction;
  signal?: AbortSignal;
  /** Objects at least this large are fetched in parallel ranged chunks. */
  multipartThreshold: number;
  chunkSize: number;
  wantSha256: boolean;
  policy?: RetryPolicy;
  onBytes?: (n: number) => void;
  /** Bytes of an earlier run's part file this transfer keeps (said before it fetches the rest). */
  onResume?: (key: string, n: number) => void;
  onRetry?: (key: string, err: unknown, attempt: number) => void;
  /** Shared by every read of the run: stops it after consecutive connection failures. */
  health?: EndpointHealth;
}

/** Where an object goes and how a finished copy there is recognised. */
export interface Placement {
  final: string;
  /** Path relative to DEST (the key of its pulled record). */
  rel: string;
  /** The path is the key's own mapping (no --flatten, no clash suffix), so the name implies the key. */
  natural: boolean;
  records?: PulledRecords;
}

export type TransferStatus = 'downloaded' | 'skipped';
export interface TransferOutcome {
  status: TransferStatus;
  /** Bytes written to the final file. */
  bytes: number;
  sha256?: string;
  /** Bytes that were already on disk from an earlier, interrupted run. */
  resumedBytes: number;
  verified: 'md5' | 'size';
}

interface PartState {
  v: 1;
  key: string;
  etag?: string;
  size: number;
  lastModified: string;
  chunkSize?: number;
  done?: number[];
}

function md5Reference(o: ObjectInfo): { hex: string; fromEtag: boolean } | undefined {
  if (o.contentMd5) return { hex: Buffer.from(o.contentMd5, 'base64').toString('hex'), fromEtag: false };
  // S3 single-part ETags are the body's MD5; multipart ones carry "-N" and are not.
  if (o.etag && /^[0-9a-f]{32}$/i.test(o.etag)) return { hex: o.etag.toLowerCase(), fromEtag: true };
  return undefined;
}

/**
 * Whether anything is at the placement, and its size (`bytes`) when it is a complete copy of this
 * object version: a regular file (never a link) whose size and mtime match, and whose pulled record
 * names this very object (key, ETag, size, last-modified). Without a record, only a path that
 * implies the key counts.
 */
export async function completeCopy(p: Placement, o: ObjectInfo, decoded: boolean): Promise<{ exists: boolean; bytes?: number }> {
  let s: Awaited<ReturnType<typeof lstat>>;
  try {
    s = await lstat(p.final);
  } catch {
    return { exists: false };
  }
  const no = { exists: true };
  if (!s.isFile()) return no;
  if (Math.abs(s.mtimeMs - o.lastModified.getTime()) >= 1000) return no;
  if (!decoded && s.size !== o.size) return no;
  const rec = await p.records?.get(p.rel);
  if (rec) return p.records!.matches(rec, o, s.size) ? { exists: true, bytes: s.size } : no;
  return p.natural ? { exists: true, bytes: s.size } : no;
}

/**
 * What a run would find on disk for this object, without touching anything (for --dry-run): a
 * complete copy, a part file of the same object version to resume (bytes kept), or nothing.
 */
export async function diskState(
  p: Placement,
  o: ObjectInfo,
  decoded: boolean,
): Promise<{ state: 'complete' | 'resume' | 'none'; bytes: number }> {
  const have = await completeCopy(p, o, decoded);
  if (have.bytes !== undefined) return { state: 'complete', bytes: have.bytes };
  const prior = await readState(p.final + STATE_SUFFIX);
  if (!sameVersion(prior, o)) return { state: 'none', bytes: 0 };
  let kept = 0;
  if (prior.chunkSize !== undefined) {
    const size = prior.chunkSize;
    for (const i of prior.done ?? []) kept += Math.min(size, o.size - i * size);
  } else {
    try {
      const st = await lstat(p.final + PART_SUFFIX);
      kept = st.isFile() ? Math.min(st.size, o.size) : 0;
    } catch {
      kept = 0;
    }
  }
  return kept > 0 ? { state: 'resume', bytes: kept } : { state: 'none', bytes: 0 };
}

async function readState(path: string): Promise<PartState | undefined> {
  const text = await readNoFollow(path);
  try {
    return text === undefined ? undefined : (JSON.parse(text) as PartState);
  } catch {
    return undefined;
  }
}

function sameVersion(s: PartState | undefined, o: ObjectInfo): s is PartState {
  return !!s && s.v === 1 && s.key === o.key && s.size === o.size && s.etag === o.etag && s.lastModified === o.lastModified.toISOString();
}

async function writeState(path: string, s: PartState): Promise<void> {
  await writeAtomic(path, JSON.stringify(s));
}

/** Hashes what is on disk, through the handle the checks and rename act on. */
async function hashFile(fh: FileHandle, algos: string[]): Promise<Record<string, string>> {
  const hashes = algos.map((a) => createHash(a));
  if (!hashes.length) return {};
  for await (const chunk of fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }))
    for (const h of hashes) h.update(chunk as Buffer);
  return Object.fromEntries(algos.map((a, i) => [a, hashes[i].digest('hex')]));
}

async function sha256OfFile(path: string): Promise<string> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return (await hashFile(fh, ['sha256'])).sha256;
  } finally {
    await fh.close();
  }
}

/** True when a failed download left no byte worth resuming (an empty part, or no chunk done). */
async function nothingToResume(part: string, statePath: string): Promise<boolean> {
  try {
    if ((await lstat(part)).size === 0) return true;
  } catch {
    return true;
  }
  const st = await readState(statePath);
  return st?.chunkSize !== undefined && !st.done?.length;
}

/** The part file for reading, never through a link. */
function openPartForRead(part: string): Promise<FileHandle> {
  return open(part, constants.O_RDONLY | constants.O_NOFOLLOW);
}

/** Counts the bytes passing through (and reports them), and hashes them when given an algorithm. */
class Tap extends Transform {
  readonly hash?: Hash;
  bytes = 0;
  constructor(
    algo?: string,
    private readonly onBytes?: (n: number) => void,
  ) {
    super({ highWaterMark: 1 << 20 });
    if (algo) this.hash = createHash(algo);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }
  digest(): string | undefined {
    return this.hash?.digest('hex');
  }
}

export class Transfer {
  constructor(private readonly o: TransferOptions) {}

  private async checkMd5(
    info: ObjectInfo,
    actualHex: string | undefined,
    ref: { hex: string; fromEtag: boolean } | undefined,
  ): Promise<boolean> {
    if (!ref || !actualHex) return false;
    if (actualHex === ref.hex) return true;
    if (ref.fromEtag) {
      // With SSE-KMS / SSE-C the ETag is not an MD5: ask before calling the data corrupt.
      const head = await this.o.provider.stat(info.key);
      if (head.serverSideEncryption && /kms|SSE-C/i.test(head.serverSideEncryption)) return false;
    }
    throw new IntegrityError(`${info.key}: MD5 mismatch (expected ${ref.hex}, got ${actualHex})`, {
      serviceCode: 'ChecksumMismatch',
      hint: 'the download was corrupted in transit or the object changed; run the command again',
    });
  }

  /** Bytes [start, end] of this object version, surviving resets and truncation. */
  private chunks(info: ObjectInfo, start: number, end: number): AsyncGenerator<Buffer> {
    return resilientRead(this.o.provider, info.key, {
      start,
      end,
      etag: info.etag,
      signal: this.o.signal,
      policy: this.o.policy,
      health: this.o.health,
      onRetry: (err, attempt) => this.o.onRetry?.(info.key, err, attempt),
    });
  }

  private read(info: ObjectInfo, start: number, end: number): Readable {
    return Readable.from(this.chunks(info, start, end), { objectMode: false, highWaterMark: 1 << 20 });
  }

  /** Raw bytes of the object into `part`, resumable. Returns bytes that were already there. */
  private async fetchRaw(info: ObjectInfo, part: string, statePath: string): Promise<{ resumed: number; md5?: string }> {
    const ref = md5Reference(info);
    // Small objects restart from zero if interrupted: a state file per object would cost more
    // (write, rename, unlink) than re-fetching a few MiB.
    const tracked = info.size >= RESUME_MIN_BYTES;
    const prior = tracked ? await readState(statePath) : undefined;
    const resumable = sameVersion(prior, info);
    if (info.size >= this.o.multipartThreshold) return this.fetchChunks(info, part, statePath, resumable ? prior : undefined);

    let offset = 0;
    let existing: FileHandle | undefined;
    if (resumable && prior.chunkSize === undefined) {
      existing = await openExisting(part);
      offset = existing ? Math.min((await existing.stat()).size, info.size) : 0;
    }
    if (offset > 0) this.o.onResume?.(info.key, offset);
    if (offset === 0 && tracked)
      await writeState(statePath, { v: 1, key: info.key, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString() });
    // MD5 of the streamed bytes is the MD5 of the file: it is ours alone (created O_EXCL under the lock).
    const md5 = offset === 0 && ref ? createHash('md5') : undefined;
    await this.o.streams(async () => {
      if (offset === 0) await existing?.close();
      const fh = offset > 0 && existing ? existing : await createFresh(part);
      try {
        const out = new PositionalWriter(fh, offset);
        for await (const buf of this.chunks(info, offset, info.size - 1)) {
          md5?.update(buf);
          this.o.onBytes?.(buf.length);
          await out.push(buf);
        }
        await out.flush();
      } finally {
        await fh.close();
      }
    });
    this.o.onBytes?.(0);
    return { resumed: offset, md5: md5?.digest('hex') };
  }

  private async fetchChunks(info: ObjectInfo, part: string, statePath: string, prior: PartState | undefined): Promise<{ resumed: number }> {
    const chunkSize = prior?.chunkSize ?? this.o.chunkSize;
    const count = Math.ceil(info.size / chunkSize);
    const done = new Set(prior?.done ?? []);
    const state: PartState = {
      v: 1,
      key: info.key,
      etag: info.etag,
      size: info.size,
      lastModified: info.lastModified.toISOString(),
      chunkSize,
      done: [...done],
    };
    let fh = prior ? await openExisting(part) : undefined;
    if (!fh) {
      fh = await createFresh(part);
      done.clear();
    }
    const file = fh;
    let resumed = 0;
    for (const i of done) resumed += Math.min(chunkSize, info.size - i * chunkSize);
    if (resumed > 0) this.o.onResume?.(info.key, resumed);
    let saving = Promise.resolve();
    const save = () => {
      state.done = [...done].sort((a, b) => a - b);
      const snapshot = { ...state };
      saving = saving.then(() => writeState(statePath, snapshot));
      return saving;
    };
    try {
      await fh.truncate(info.size);
      await save();
      const jobs: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        if (done.has(i)) continue;
        const start = i * chunkSize;
        const end = Math.min(info.size, start + chunkSize) - 1;
        jobs.push(
          this.o.streams(async () => {
            const out = new PositionalWriter(file, start);
            for await (const buf of this.chunks(info, start, end)) {
              this.o.onBytes?.(buf.length);
              await out.push(buf);
            }
            await out.flush();
            done.add(i);
            await save();
          }),
        );
      }
      const results = await Promise.allSettled(jobs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      await saving.catch(() => undefined);
      await fh.close();
    }
    return { resumed };
  }

  /**
   * Caller holds the placement's file lock. `codec` 'auto' (--decompress) decodes what the content
   * turns out to be (its magic bytes, not its name): a compressed name is decoded on the fly, any
   * other object is fetched as is and decoded from disk only if its bytes are compressed.
   */
  async run(info: ObjectInfo, place: Placement, codec: 'auto' | 'none'): Promise<TransferOutcome> {
    const decoding = codec !== 'none';
    const final = place.final;
    const have = await completeCopy(place, info, decoding);
    if (have.bytes !== undefined) {
      // The --json report promises every file's sha256: a skipped file's comes from the disk.
      const sha256 = this.o.wantSha256 ? await sha256OfFile(final) : undefined;
      return { status: 'skipped', bytes: have.bytes, sha256, resumedBytes: 0, verified: 'size' };
    }
    // The file under this name is about to be replaced: its record must not outlive it (a crash
    // between rename and the new record would otherwise vouch for the wrong bytes).
    if (have.exists) await place.records?.drop(place.rel);
    const part = final + PART_SUFFIX;
    const statePath = final + STATE_SUFFIX;
    const ref = md5Reference(info);

    if (decoding && info.size < this.o.multipartThreshold && codecFor(info.key) !== 'none')
      return this.recorded(place, info, await this.decodeStreaming(info, final, ref));

    let fetched: { resumed: number; md5?: string };
    try {
      fetched = await this.fetchRaw(info, part, statePath);
    } catch (err) {
      // Keep the part file for a resume unless its bytes are known to be bad, or the object itself
      // failed (not the run) before a byte worth resuming arrived. An interrupted run keeps it as is.
      if (err instanceof IntegrityError || (!this.o.signal?.aborted && (await nothingToResume(part, statePath))))
        await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw err;
    }
    const pf = await openPartForRead(part);
    let h: Record<string, string>;
    let verified: 'md5' | 'size' = 'size';
    // With --decompress, the bytes decide: compressed ones are decoded below, plain ones kept as they are.
    let stored: Codec = 'none';
    try {
      const size = (await pf.stat()).size;
      if (size !== info.size) {
        await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
        throw new IntegrityError(`${info.key}: size mismatch (expected ${info.size} bytes, got ${size})`, {
          serviceCode: 'SizeMismatch',
          hint: 'run the command again',
        });
      }
      if (decoding) {
        const head = Buffer.alloc(SNIFF_BYTES);
        const { bytesRead } = await pf.read(head, 0, SNIFF_BYTES, 0);
        stored = sniffCodec(head.subarray(0, bytesRead));
      }
      let md5Hex = fetched.md5;
      const needs: string[] = [];
      if (ref && !md5Hex) needs.push('md5');
      if (this.o.wantSha256 && stored === 'none') needs.push('sha256');
      h = await hashFile(pf, needs);
      md5Hex ??= h.md5;
      try {
        if (await this.checkMd5(info, md5Hex, ref)) verified = 'md5';
      } catch (err) {
        await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
        throw err;
      }
      if (stored === 'none') await pf.utimes(new Date(), info.lastModified);
    } finally {
      await pf.close();
    }

    if (stored === 'none') {
      // rename() replaces whatever is at the final name (a link included) and never follows it.
      await rename(part, final);
      await rm(statePath, { force: true });
      return this.recorded(place, info, {
        status: 'downloaded',
        bytes: info.size,
        sha256: h.sha256,
        resumedBytes: fetched.resumed,
        verified,
      });
    }
    // Large compressed object: the raw copy is complete and verified; decode it from disk.
    const tmp = final + TMP_SUFFIX;
    let outcome: { bytes: number; sha256?: string };
    try {
      const decoder = await createDecoder(stored, { label: info.key });
      const src = await openPartForRead(part);
      outcome = await this.decodeInto(tmp, src.createReadStream({ highWaterMark: 1 << 20 }), undefined, decoder, info.lastModified);
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof IntegrityError) await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw err;
    }
    await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
    return this.recorded(place, info, {
      status: 'downloaded',
      bytes: outcome.bytes,
      sha256: outcome.sha256,
      resumedBytes: fetched.resumed,
      verified,
    });
  }

  private async recorded(place: Placement, info: ObjectInfo, out: TransferOutcome): Promise<TransferOutcome> {
    await place.records?.put(place.rel, info, out.bytes);
    return out;
  }

  /** Pipes `source` (through `tap`, if given) and `decoder` into a new file at `tmp`, stamped `mtime`. */
  private async decodeInto(
    tmp: string,
    source: Readable,
    tap: Transform | undefined,
    decoder: Duplex,
    mtime?: Date,
  ): Promise<{ bytes: number; sha256?: string }> {
    const fh = await createFresh(tmp);
    try {
      const sink = new FileSink(fh, this.o.wantSha256 ? 'sha256' : undefined);
      if (tap) await pipeline(source, tap, decoder, sink, { signal: this.o.signal });
      else await pipeline(source, decoder, sink, { signal: this.o.signal });
      if (mtime) await fh.utimes(new Date(), mtime);
      return { bytes: sink.bytes, sha256: sink.digest() };
    } finally {
      await fh.close();
    }
  }

  /** A small object whose name says compressed, decoded as it arrives by what its bytes are (auto.ts). */
  private async decodeStreaming(
    info: ObjectInfo,
    final: string,
    ref: { hex: string; fromEtag: boolean } | undefined,
  ): Promise<TransferOutcome> {
    const tmp = final + TMP_SUFFIX;
    // Raw bytes: counted always, MD5'd only when there is a reference to check against.
    const raw = new Tap(ref ? 'md5' : undefined, this.o.onBytes);
    let out: { bytes: number; sha256?: string } = { bytes: 0 };
    try {
      await this.o.streams(async () => {
        const decoder = await createDecoder('auto', { label: info.key });
        out = await this.decodeInto(tmp, this.read(info, 0, info.size - 1), raw, decoder, info.lastModified);
      });
      if (raw.bytes !== info.size) {
        throw new IntegrityError(`${info.key}: size mismatch (expected ${info.size} bytes, got ${raw.bytes})`, {
          serviceCode: 'SizeMismatch',
          hint: 'run the command again',
        });
      }
      const verified = (await this.checkMd5(info, raw.digest(), ref)) ? 'md5' : 'size';
      await rename(tmp, final);
      return { status: 'downloaded', bytes: out.bytes, sha256: out.sha256, resumedBytes: 0, verified };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

export function describeTransferError(err: unknown): ArchiveError {
  if (err instanceof ArchiveError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC')
    return new ArchiveError('no space left on the destination device', {
      serviceCode: 'ENOSPC',
      hint: 'free disk space or choose another DEST; part files are kept so a re-run resumes',
      cause: err,
    });
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return new ArchiveError(`cannot write ${e.path ?? 'the destination'}: permission denied`, {
      serviceCode: e.code,
      hint: 'choose a writable DEST directory',
      cause: err,
    });
  }
  if (e?.code === 'ENOTDIR' || e?.code === 'EISDIR' || e?.code === 'EEXIST') {
    return new ArchiveError(`path conflict at ${e.path ?? 'the destination'} (a file and a folder share a name)`, {
      serviceCode: e.code,
      hint: 'pull into an empty DEST, or use --flatten',
      cause: err,
    });
  }
  return new ArchiveError(e?.message ?? String(err), { serviceCode: e?.code, cause: err });
}
