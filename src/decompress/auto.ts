/**
 * The decoder chosen by the content: the first bytes (codec.ts sniffCodec) pick gzip, zstd or none,
 * whatever the object is called. Plain bytes pass through untouched; no bytes at all give no
 * output (a 0-byte `.zst` is an empty object, not a corrupt one), the same in cat, pull
 * --decompress and query.
 */
import { Duplex } from 'node:stream';
import { SNIFF_BYTES, sniffCodec, type Codec } from './codec.js';
import { READABLE_HIGH_WATER_MARK, WRITABLE_HIGH_WATER_MARK } from './decoder-stream.js';
import { waitWritable } from './inner.js';

type Make = (codec: Exclude<Codec, 'none'>) => Promise<Duplex>;

export class AutoDecoder extends Duplex {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** Set once the first bytes were seen: the chosen decoder, or null for plain bytes. */
  private inner: Duplex | null | undefined;
  /** Plain mode: the write waiting for the reader to want more. */
  private pendingWrite: (() => void) | undefined;
  private innerEnded: Promise<void> | undefined;

  constructor(private readonly make: Make) {
    super({ readableHighWaterMark: READABLE_HIGH_WATER_MARK, writableHighWaterMark: WRITABLE_HIGH_WATER_MARK });
  }

  /** What the content turned out to be (undefined before the first bytes). */
  codec: Codec | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    if (this.inner !== undefined) {
      this.forward(chunk).then(() => cb(), cb);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) cb();
    else this.choose().then(() => cb(), cb);
  }

  override _final(cb: (error?: Error | null) => void): void {
    const finish = async () => {
      if (this.inner === undefined) await this.choose();
      if (this.inner) {
        this.inner.end();
        await this.innerEnded;
      }
      this.push(null);
    };
    finish().then(() => cb(), cb);
  }

  override _read(): void {
    if (this.inner) this.inner.resume();
    const w = this.pendingWrite;
    this.pendingWrite = undefined;
    w?.();
  }

  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    this.inner?.destroy();
    cb(error);
  }

  private async choose(): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.codec = sniffCodec(head);
    if (this.codec === 'none') this.inner = null;
    else {
      const inner = await this.make(this.codec);
      this.inner = inner;
      inner.on('data', (d: Buffer) => {
        if (!this.push(d)) inner.pause();
      });
      this.innerEnded = new Promise<void>((resolve, reject) => {
        inner.once('end', resolve);
        inner.once('error', reject);
      });
      this.innerEnded.catch(() => undefined); // awaited in _final; the 'error' listener below reports it sooner
      // A failure between writes (a child process, a checksum at the end) fails this stream now.
      inner.once('error', (err) => this.destroy(err));
    }
    if (head.length) await this.forward(head);
  }

  private forward(chunk: Buffer): Promise<void> {
    const inner = this.inner;
    if (inner === null) {
      if (this.push(chunk)) return Promise.resolve();
      return new Promise((resolve) => (this.pendingWrite = resolve));
    }
    if (!inner || inner.write(chunk)) return Promise.resolve();
    return waitWritable(inner);
  }
}
