import zlib from 'node:zlib';
import { DecoderStream, ZLIB_CHUNK_SIZE } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import { waitWritable } from './inner.js';

/**
 * gzip via zlib.createGunzip (chunkSize 1 MiB). Node's gunzip decodes concatenated members
 * and fails on trailing non-zero garbage, but at a zero byte after a member it ends its output,
 * silently, and ignores the rest of the input (even further members) or, depending on where
 * chunk borders fall, fails oddly. So the decoder checks that every non-zero input byte was
 * consumed: zero padding after the last member is accepted (as gzip(1) does); anything else
 * left unread is an IntegrityError.
 */
export class GunzipDecoder extends DecoderStream {
  private readonly z = zlib.createGunzip({ chunkSize: ZLIB_CHUNK_SIZE });
  private readonly ended: Promise<void>;
  private zEnded = false;
  private bytesIn = 0;
  /** Offset just past the last non-zero input byte. */
  private nonZeroEnd = 0;

  constructor(label: string) {
    super(label, 'gzip');
    this.z.on('data', (d: Buffer) => this.pushOrPause(d, this.z));
    this.ended = new Promise<void>((resolve, reject) => {
      this.z.once('end', () => {
        this.zEnded = true;
        resolve();
      });
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
    if (this.zEnded) {
      this.checkAllConsumed();
      return;
    }
    if (!this.z.write(chunk)) await waitWritable(this.z);
  }

  protected async onEnd(): Promise<void> {
    if (this.bytesIn === 0) throw corrupt(this.label, 'gzip', 'empty input: no gzip member');
    this.z.end();
    await this.ended;
    this.checkAllConsumed();
  }

  protected onDestroy(): void {
    this.z.destroy();
  }

  private checkAllConsumed(): void {
    const used = this.z.bytesWritten;
    if (used < this.nonZeroEnd) {
      throw corrupt(
        this.label,
        'gzip',
        `unexpected data at byte ${used} after the last gzip member (the rest of the input, ${this.bytesIn - used}+ bytes, was not decoded)`,
      );
    }
  }
}
