import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/**
 * Writes a stream of buffers at increasing offsets of an open file, one writev per ~1 MiB.
 * Sockets hand over ~64 KiB at a time: a write per chunk costs a thread-pool round trip each,
 * and concatenating into one buffer first costs a copy into freshly mapped memory.
 */
export class PositionalWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly fh: FileHandle,
    /** Offset of the next byte. */
    public position: number,
    private readonly batchBytes = 1 << 20,
  ) {}

  async push(buf: Buffer): Promise<void> {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= this.batchBytes) await this.flush();
  }

  async pushAll(bufs: Buffer[]): Promise<void> {
    for (const b of bufs) {
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (this.pendingBytes >= this.batchBytes) await this.flush();
  }

  async flush(): Promise<void> {
    let bufs = this.pending;
    let left = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    while (left > 0) {
      const { bytesWritten } = await this.fh.writev(bufs, this.position);
      this.position += bytesWritten;
      left -= bytesWritten;
      if (left > 0) bufs = skipBytes(bufs, bytesWritten);
    }
  }
}

/** The buffers that remain after the first n bytes (a short writev). */
function skipBytes(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= bufs[i]!.length) n -= bufs[i++]!.length;
  const rest = bufs.slice(i);
  if (n > 0 && rest.length) rest[0] = rest[0]!.subarray(n);
  return rest;
}

/**
 * A Writable into an open file that counts (and optionally hashes) what it writes, flushing
 * whatever queued up while the previous write was in flight with one writev.
 */
export class FileSink extends Writable {
  bytes = 0;
  private readonly hash?: Hash;
  private readonly out: PositionalWriter;

  constructor(fh: FileHandle, hashAlgo?: string) {
    super({ highWaterMark: 1 << 20 });
    this.out = new PositionalWriter(fh, 0);
    if (hashAlgo) this.hash = createHash(hashAlgo);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    const bufs = chunks.map((c) => c.chunk);
    for (const b of bufs) {
      this.hash?.update(b);
      this.bytes += b.length;
    }
    this.out.pushAll(bufs).then(() => cb(), cb);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writev([{ chunk }], cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.out.flush().then(() => cb(), cb);
  }

  digest(): string | undefined {
    return this.hash?.digest('hex');
  }
}
