/**
 * Downloads one object to its final path without ever leaving an incomplete file under that name:
 * bytes go to `<final>.archive-part` (with a small JSON state file beside it so a later run can
 * resume), are verified (size always, MD5 where the service provides one), then renamed into place.
 *
 * Four shapes:
 *  - small object, stored as is:      one ranged stream, resumable from the part file's length
 *  - large object, stored as is:      parallel ranged chunks into a sparse part file, resumable per chunk
 *  - small object, --decompress:      one stream decoded on the fly into `<final>.archive-tmp`
 *  - large object, --decompress:      parallel raw download as above, then decoded from disk
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { Readable, Transform, type Duplex, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LimitFunction } from 'p-limit';
import { createDecoder, type Codec } from '../decompress/index.js';
import { ArchiveError, IntegrityError } from '../errors.js';
import type { ObjectInfo, StorageProvider } from '../providers/types.js';
import { FileSink, PositionalWriter } from './file-writer.js';
import { resilientRead, type RetryPolicy } from './retry.js';

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
  onRetry?: (key: string, err: unknown, attempt: number) => void;
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

/** True when a complete copy of this object version is already at `final` (size and mtime match). */
export async function isComplete(final: string, o: ObjectInfo, decoded: boolean): Promise<boolean> {
  try {
    const s = await stat(final);
    if (!s.isFile()) return false;
    if (Math.abs(s.mtimeMs - o.lastModified.getTime()) >= 1000) return false;
    return decoded || s.size === o.size;
  } catch {
    return false;
  }
}

async function readState(path: string): Promise<PartState | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartState;
  } catch {
    return undefined;
  }
}

function sameVersion(s: PartState | undefined, o: ObjectInfo): s is PartState {
  return !!s && s.v === 1 && s.key === o.key && s.size === o.size && s.etag === o.etag && s.lastModified === o.lastModified.toISOString();
}

async function writeState(path: string, s: PartState): Promise<void> {
  await writeFile(path + '.tmp', JSON.stringify(s));
  await rename(path + '.tmp', path);
}

async function hashFile(path: string, algos: string[]): Promise<Record<string, string>> {
  const hashes = algos.map((a) => createHash(a));
  if (!hashes.length) return {};
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) for (const h of hashes) h.update(chunk as Buffer);
  return Object.fromEntries(algos.map((a, i) => [a, hashes[i].digest('hex')]));
}

/** Counts the bytes passing through (and reports them), and hashes them when given an algorithm. */
class Tap extends Transform {
  readonly hash?: Hash;
  bytes = 0;
  constructor(algo?: string, private readonly onBytes?: (n: number) => void) {
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

  private async checkMd5(info: ObjectInfo, actualHex: string | undefined, ref: { hex: string; fromEtag: boolean } | undefined): Promise<boolean> {
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
    if (resumable && prior.chunkSize === undefined) {
      try {
        offset = Math.min((await stat(part)).size, info.size);
      } catch {
        offset = 0;
      }
    }
    if (offset === 0 && tracked) await writeState(statePath, { v: 1, key: info.key, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString() });
    const md5 = offset === 0 && ref ? createHash('md5') : undefined;
    await this.o.streams(async () => {
      const fh = await open(part, offset > 0 ? 'r+' : 'w');
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
    const state: PartState = { v: 1, key: info.key, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString(), chunkSize, done: [...done] };
    let fh;
    try {
      fh = await open(part, prior ? 'r+' : 'w');
    } catch {
      fh = await open(part, 'w');
      done.clear();
    }
    let resumed = 0;
    for (const i of done) resumed += Math.min(chunkSize, info.size - i * chunkSize);
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
            const out = new PositionalWriter(fh, start);
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

  async run(info: ObjectInfo, final: string, codec: Codec): Promise<TransferOutcome> {
    const decoding = codec !== 'none';
    if (await isComplete(final, info, decoding)) return { status: 'skipped', bytes: (await stat(final)).size, resumedBytes: 0, verified: 'size' };
    const part = final + PART_SUFFIX;
    const statePath = final + STATE_SUFFIX;
    const ref = md5Reference(info);

    if (decoding && info.size < this.o.multipartThreshold) return this.decodeStreaming(info, final, codec, ref);

    let fetched: { resumed: number; md5?: string };
    try {
      fetched = await this.fetchRaw(info, part, statePath);
    } catch (err) {
      // Keep the part file for a resume unless its bytes are known to be bad.
      if (err instanceof IntegrityError) await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw err;
    }
    const size = (await stat(part)).size;
    if (size !== info.size) {
      await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw new IntegrityError(`${info.key}: size mismatch (expected ${info.size} bytes, got ${size})`, { serviceCode: 'SizeMismatch', hint: 'run the command again' });
    }
    let md5Hex = fetched.md5;
    const needs: string[] = [];
    if (ref && !md5Hex) needs.push('md5');
    if (this.o.wantSha256 && !decoding) needs.push('sha256');
    const h = await hashFile(part, needs);
    md5Hex ??= h.md5;
    let verified: 'md5' | 'size' = 'size';
    try {
      if (await this.checkMd5(info, md5Hex, ref)) verified = 'md5';
    } catch (err) {
      await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw err;
    }

    if (!decoding) {
      await utimes(part, new Date(), info.lastModified);
      await rename(part, final);
      await rm(statePath, { force: true });
      return { status: 'downloaded', bytes: info.size, sha256: h.sha256, resumedBytes: fetched.resumed, verified };
    }
    // Large compressed object: the raw copy is complete and verified; decode it from disk.
    const tmp = final + TMP_SUFFIX;
    let outcome: { bytes: number; sha256?: string };
    try {
      const decoder = await createDecoder(codec, { label: info.key });
      outcome = await this.decodeInto(tmp, createReadStream(part, { highWaterMark: 1 << 20 }), undefined, decoder);
      await utimes(tmp, new Date(), info.lastModified);
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof IntegrityError) await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
      throw err;
    }
    await Promise.all([rm(part, { force: true }), rm(statePath, { force: true })]);
    return { status: 'downloaded', bytes: outcome.bytes, sha256: outcome.sha256, resumedBytes: fetched.resumed, verified };
  }

  /** Pipes `source` (through `tap`, if given) and `decoder` into a new file at `tmp`. */
  private async decodeInto(tmp: string, source: Readable, tap: Transform | undefined, decoder: Duplex): Promise<{ bytes: number; sha256?: string }> {
    const fh = await open(tmp, 'w');
    try {
      const sink = new FileSink(fh, this.o.wantSha256 ? 'sha256' : undefined);
      if (tap) await pipeline(source, tap, decoder, sink, { signal: this.o.signal });
      else await pipeline(source, decoder, sink, { signal: this.o.signal });
      return { bytes: sink.bytes, sha256: sink.digest() };
    } finally {
      await fh.close();
    }
  }

  private async decodeStreaming(info: ObjectInfo, final: string, codec: Codec, ref: { hex: string; fromEtag: boolean } | undefined): Promise<TransferOutcome> {
    const tmp = final + TMP_SUFFIX;
    // Raw bytes: counted always, MD5'd only when there is a reference to check against.
    const raw = new Tap(ref ? 'md5' : undefined, this.o.onBytes);
    let out: { bytes: number; sha256?: string } = { bytes: 0 };
    try {
      await this.o.streams(async () => {
        const decoder = await createDecoder(codec, { label: info.key });
        out = await this.decodeInto(tmp, this.read(info, 0, info.size - 1), raw, decoder);
      });
      if (raw.bytes !== info.size) {
        throw new IntegrityError(`${info.key}: size mismatch (expected ${info.size} bytes, got ${raw.bytes})`, { serviceCode: 'SizeMismatch', hint: 'run the command again' });
      }
      const verified = (await this.checkMd5(info, raw.digest(), ref)) ? 'md5' : 'size';
      await utimes(tmp, new Date(), info.lastModified);
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
  if (e?.code === 'ENOSPC') return new ArchiveError('no space left on the destination device', { serviceCode: 'ENOSPC', hint: 'free disk space or choose another DEST; part files are kept so a re-run resumes', cause: err });
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return new ArchiveError(`cannot write ${e.path ?? 'the destination'}: permission denied`, { serviceCode: e.code, hint: 'choose a writable DEST directory', cause: err });
  }
  if (e?.code === 'ENOTDIR' || e?.code === 'EISDIR' || e?.code === 'EEXIST') {
    return new ArchiveError(`path conflict at ${e.path ?? 'the destination'} (a file and a folder share a name)`, { serviceCode: e.code, hint: 'pull into an empty DEST, or use --flatten', cause: err });
  }
  return new ArchiveError(e?.message ?? String(err), { serviceCode: e?.code, cause: err });
}
