import type { FileHandle } from 'node:fs/promises';

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
