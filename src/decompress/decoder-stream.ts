import { Duplex } from 'node:stream';
import type { ArchiveError } from '../errors.js';
import { toDecodeError, type DecodeFormat } from './decode-error.js';

/** Output buffered ahead of the consumer before a decoder stops producing. */
export const READABLE_HIGH_WATER_MARK = 1024 * 1024;
/**
 * Compressed input waiting while the decoder works is handed over as one batch (_writev), up to
 * about this much. Socket reads arrive as 16–64 KiB chunks and each write to a zlib stream is a
 * thread-pool round trip: Node 24's zstd decoded 96 × 2 MiB objects in 2.97 s from 16 KiB chunks,
 * 1.87 s from 64 KiB and 1.45 s from 1 MiB (4 at a time, local files). Batching only what queued
 * up never holds back bytes that could be decoded now, so output keeps streaming on slow links.
 */
export const WRITABLE_HIGH_WATER_MARK = 1024 * 1024;
/** zlib's output chunk size: 16 KiB (the default) is ~3x slower than 256 KiB, and 1 MiB ~10% faster still (zstd, Node 24). */
export const ZLIB_CHUNK_SIZE = 1024 * 1024;

/**
 * Base of every decoder: a Duplex that takes compressed bytes and gives decoded bytes, with
 * backpressure both ways, and whose own failures are ArchiveErrors naming the object.
 *
 * Subclasses implement onChunk/onEnd (which may return promises: the next chunk is not
 * delivered until they settle) and produce output with `output()`, or with `pushOrPause()` for
 * an inner stream that can be paused.
 */
export abstract class DecoderStream extends Duplex {
  private resumeWaiter: (() => void) | undefined;

  constructor(
    readonly label: string,
    readonly format: DecodeFormat,
  ) {
    super({ readableHighWaterMark: READABLE_HIGH_WATER_MARK, writableHighWaterMark: WRITABLE_HIGH_WATER_MARK });
  }

  protected abstract onChunk(chunk: Buffer): Promise<void> | void;
  /** All input was written; finish decoding, and fail if the input was incomplete. */
  protected abstract onEnd(): Promise<void> | void;
  /** Release resources (inner streams, child processes). Called once, on destroy. */
  protected abstract onDestroy(): void;

  // No _write: Node's default hands a lone chunk to _writev, so every write takes this one path.
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const batch = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this.settle(() => this.onChunk(batch), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.settle(
      () => this.onEnd(),
      (err) => {
        if (!err) this.push(null);
        callback(err);
      },
    );
  }

  override _read(): void {
    const w = this.resumeWaiter;
    this.resumeWaiter = undefined;
    w?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.onDestroy();
    } finally {
      callback(error);
    }
  }

  /** Pushes decoded bytes; the promise (if any) resolves when the consumer wants more. */
  protected output(bytes: Uint8Array): Promise<void> | undefined {
    if (bytes.length === 0 || this.destroyed) return undefined;
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (this.push(buf)) return undefined;
    return new Promise((resolve) => {
      this.resumeWaiter = resolve;
    });
  }

  /** For inner readables: push, and pause the source until the consumer asks for more. */
  protected pushOrPause(bytes: Buffer, source: { pause(): unknown; resume(): unknown }): void {
    if (this.destroyed) return;
    if (!this.push(bytes)) {
      source.pause();
      this.resumeWaiter = () => source.resume();
    }
  }

  /** Fails the stream now (e.g. an inner stream or child process failed between writes). */
  protected fail(err: unknown): void {
    if (!this.destroyed) this.destroy(this.decodeError(err));
  }

  protected decodeError(err: unknown): ArchiveError {
    return toDecodeError(this.label, this.format, err);
  }

  private settle(fn: () => Promise<void> | void, callback: (error?: Error | null) => void): void {
    let result: Promise<void> | void;
    try {
      result = fn();
    } catch (err) {
      callback(this.decodeError(err));
      return;
    }
    if (result)
      result.then(
        () => callback(),
        (err: unknown) => callback(this.decodeError(err)),
      );
    else callback();
  }
}
