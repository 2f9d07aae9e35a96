import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { DecoderStream, ZLIB_CHUNK_SIZE } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import { ZstdFrameScanner } from './frame-scanner.js';
import { waitWritable } from './inner.js';

/** ZSTD_d_windowLogMax (zstd.h) in case zlib.constants lacks it. */
const ZSTD_D_WINDOWLOG_MAX = 100;
/** Same limit as `zstd -d --long=31`: windows up to 2 GiB (libzstd's default stops at 128 MiB). */
export const NATIVE_WINDOW_LOG_MAX = 31;

type ZlibLike = typeof zlib & { createZstdDecompress?: (options?: object) => Transform };

/** True when this Node has zlib.createZstdDecompress (Node >= 22.15 / 23.8). */
export function hasNativeZstd(): boolean {
  return typeof (zlib as ZlibLike).createZstdDecompress === 'function';
}

interface Current {
  z: Transform & { bytesWritten: number };
  ended: Promise<void>;
}

/**
 * zstd through Node's own zlib binding. Node's zstd stream stops after the first frame and
 * ignores whatever follows (further frames, skippable frames, garbage), so the frame scanner
 * splits the input and each frame goes to a fresh decompressor; skippable frames are dropped,
 * and each decompressor must consume exactly its frame's bytes.
 */
export class NativeZstdDecoder extends DecoderStream {
  private readonly scanner = new ZstdFrameScanner();
  private cur: Current | undefined;

  constructor(label: string) {
    super(label, 'zstd');
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (const ev of this.scanner.push(chunk)) {
      if (ev.type === 'frame') {
        this.cur = this.startFrame();
        await this.writeFrame(ev.head);
      } else if (ev.type === 'data') {
        await this.writeFrame(ev.bytes);
      } else {
        const { z, ended } = this.cur!;
        z.end();
        await ended;
        if (z.bytesWritten !== ev.compressedSize) {
          throw corrupt(
            this.label,
            'zstd',
            `frame ${ev.index} ended after ${z.bytesWritten} of its ${ev.compressedSize} bytes`,
          );
        }
        this.cur = undefined;
      }
    }
  }

  protected onEnd(): void {
    this.scanner.finish();
  }

  protected onDestroy(): void {
    this.cur?.z.destroy();
  }

  private startFrame(): Current {
    const constants = zlib.constants as Record<string, number | undefined>;
    const z = (zlib as ZlibLike).createZstdDecompress!({
      chunkSize: ZLIB_CHUNK_SIZE,
      params: { [constants['ZSTD_d_windowLogMax'] ?? ZSTD_D_WINDOWLOG_MAX]: NATIVE_WINDOW_LOG_MAX },
    }) as Current['z'];
    z.on('data', (d: Buffer) => this.pushOrPause(d, z));
    const ended = new Promise<void>((resolve, reject) => {
      z.once('end', resolve);
      z.once('error', reject);
    });
    ended.catch((err: unknown) => this.fail(err));
    return { z, ended };
  }

  private async writeFrame(bytes: Uint8Array): Promise<void> {
    const { z, ended } = this.cur!;
    if (!z.write(bytes)) await waitWritable(z, ended);
  }
}
