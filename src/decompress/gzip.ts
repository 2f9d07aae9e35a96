import zlib from 'node:zlib';
import { DecoderStream, ZLIB_CHUNK_SIZE } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import { waitWritable } from './inner.js';

/**
 * gzip via zlib.createGunzip (chunkSize 256 KiB). Node's gunzip decodes concatenated members
 * and fails on trailing non-zero garbage, but stops silently at a zero byte after a member and
 * ignores everything after it; so the decoder checks that every non-zero input byte was consumed
 * (zero padding after the last member is accepted, as gzip(1) does).
 */
export class GunzipDecoder extends DecoderStream {
  private readonly z = zlib.createGunzip({ chunkSize: ZLIB_CHUNK_SIZE });
  private readonly ended: Promise<void>;
  private bytesIn = 0;
  /** Offset just past the last non-zero input byte. */
  private nonZeroEnd = 0;

  constructor(label: string) {
    super(label, 'gzip');
    this.z.on('data', (d: Buffer) => this.pushOrPause(d, this.z));
    this.ended = new Promise<void>((resolve, reject) => {
      this.z.once('end', resolve);
      this.z.once('error', reject);
    });
    // Fail promptly even while no write is pending; the rejection is also awaited in onEnd.
    this.ended.catch((err: unknown) => this.fail(err));
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== 0) {
        this.nonZeroEnd = this.bytesIn + i + 1;
        break;
      }
    }
    this.bytesIn += chunk.length;
    if (!this.z.write(chunk)) await waitWritable(this.z, this.ended);
  }

  protected async onEnd(): Promise<void> {
    if (this.bytesIn === 0) throw corrupt(this.label, 'gzip', 'empty input: no gzip member');
    this.z.end();
    await this.ended;
    if (this.z.bytesWritten < this.nonZeroEnd) {
      throw corrupt(
        this.label,
        'gzip',
        `unexpected data at byte ${this.z.bytesWritten} after the last gzip member (${this.bytesIn - this.z.bytesWritten} bytes not decoded)`,
      );
    }
  }

  protected onDestroy(): void {
    this.z.destroy();
  }
}
