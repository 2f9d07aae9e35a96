import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { DecoderStream, ZLIB_CHUNK_SIZE } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import type { FrameHeader } from './frame-header.js';
import { ZstdFrameScanner } from './frame-scanner.js';
import { waitWritable } from './inner.js';

/** ZSTD_d_windowLogMax (zstd.h), in case zlib.constants lacks it. */
const ZSTD_D_WINDOWLOG_MAX = 100;
/** Same limit as `zstd -d --long=31`: windows up to 2 GiB (libzstd's default stops at 128 MiB). */
export const NATIVE_WINDOW_LOG_MAX = 31;
/**
 * Frames that declare at most this much content are decoded in one synchronous call instead of
 * through a zlib stream of their own: a stream per frame costs ~0.2 ms, which with 16 KiB frames
 * (log rotators, seekable zstd) caps throughput near 70 MB/s.
 */
export const SYNC_FRAME_MAX_CONTENT = 1024 * 1024;
/** ... as long as the compressed frame stays this small (else it is streamed after all). */
const SYNC_FRAME_MAX_COMPRESSED = 2 * SYNC_FRAME_MAX_CONTENT;

type ZstdZlib = typeof zlib & {
  createZstdDecompress?: (options?: object) => Transform;
  zstdDecompressSync?: (buf: Uint8Array, options?: object) => Buffer;
};
const z = zlib as ZstdZlib;

/** True when this Node has zlib zstd (Node >= 22.15 / 23.8). */
export function hasNativeZstd(): boolean {
  return typeof z.createZstdDecompress === 'function' && typeof z.zstdDecompressSync === 'function';
}

function zstdParams(): Record<number, number> {
  const constants = zlib.constants as Record<string, number | undefined>;
  return { [constants.ZSTD_d_windowLogMax ?? ZSTD_D_WINDOWLOG_MAX]: NATIVE_WINDOW_LOG_MAX };
}

interface StreamedFrame {
  kind: 'stream';
  index: number;
  z: Transform & { bytesWritten: number };
  ended: Promise<void>;
}
interface BufferedFrame {
  kind: 'buffer';
  index: number;
  header: FrameHeader;
  parts: Uint8Array[];
  bytes: number;
}

/**
 * zstd through Node's own zlib binding. Node's zstd stream stops after the first frame and
 * ignores (or chokes on) whatever follows, so the frame scanner splits the input and each frame
 * gets a fresh decompressor (small frames: one synchronous call); skippable frames are dropped;
 * each decompressor must consume exactly its frame's bytes. libzstd checks content checksums
 * and content sizes itself.
 */
export class NativeZstdDecoder extends DecoderStream {
  private readonly scanner = new ZstdFrameScanner();
  private cur: StreamedFrame | BufferedFrame | undefined;

  constructor(label: string) {
    super(label, 'zstd');
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (const ev of this.scanner.push(chunk)) {
      if (ev.type === 'frame') {
        const { contentSize } = ev.header;
        if (contentSize !== undefined && contentSize <= SYNC_FRAME_MAX_CONTENT) {
          this.cur = { kind: 'buffer', index: ev.index, header: ev.header, parts: [ev.head], bytes: ev.head.length };
        } else {
          this.cur = this.startStream(ev.index);
          await this.writeFrame(this.cur, ev.head);
        }
      } else if (ev.type === 'data') {
        const cur = this.cur!;
        if (cur.kind === 'stream') {
          await this.writeFrame(cur, ev.bytes);
        } else {
          cur.parts.push(ev.bytes);
          cur.bytes += ev.bytes.length;
          if (cur.bytes > SYNC_FRAME_MAX_COMPRESSED) {
            const s = this.startStream(cur.index);
            this.cur = s;
            for (const p of cur.parts) await this.writeFrame(s, p);
          }
        }
      } else {
        const cur = this.cur!;
        this.cur = undefined;
        if (cur.kind === 'stream') await this.endStream(cur, ev.compressedSize);
        else await this.decodeBuffered(cur);
      }
    }
  }

  protected onEnd(): void {
    this.scanner.finish();
  }

  protected onDestroy(): void {
    if (this.cur?.kind === 'stream') this.cur.z.destroy();
    this.cur = undefined;
  }

  private async decodeBuffered(f: BufferedFrame): Promise<void> {
    const input = f.parts.length === 1 ? f.parts[0]! : Buffer.concat(f.parts, f.bytes);
    let out: Buffer;
    let consumed: number;
    try {
      const res = z.zstdDecompressSync!(input, {
        info: true,
        chunkSize: ZLIB_CHUNK_SIZE,
        maxOutputLength: Math.max(1, f.header.contentSize!),
        params: zstdParams(),
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      out = res.buffer;
      consumed = res.engine.bytesWritten;
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const msg =
        e.code === 'ERR_BUFFER_TOO_LARGE' ? `more content than the ${f.header.contentSize} bytes its header declares` : String(e.message);
      throw corrupt(this.label, 'zstd', `frame ${f.index}: ${msg}`, err);
    }
    if (consumed !== f.bytes) {
      throw corrupt(this.label, 'zstd', `frame ${f.index} ended after ${consumed} of its ${f.bytes} bytes`);
    }
    if (out.length !== f.header.contentSize) {
      throw corrupt(this.label, 'zstd', `frame ${f.index} decoded to ${out.length} bytes, its header says ${f.header.contentSize}`);
    }
    const wait = this.output(out);
    if (wait) await wait;
  }

  private startStream(index: number): StreamedFrame {
    const zs = z.createZstdDecompress!({ chunkSize: ZLIB_CHUNK_SIZE, params: zstdParams() }) as StreamedFrame['z'];
    zs.on('data', (d: Buffer) => this.pushOrPause(d, zs));
    const ended = new Promise<void>((resolve, reject) => {
      zs.once('end', resolve);
      zs.once('error', reject);
    });
    ended.catch((err: unknown) => this.fail(err));
    return { kind: 'stream', index, z: zs, ended };
  }

  private async writeFrame(f: StreamedFrame, bytes: Uint8Array): Promise<void> {
    if (f.z.readableEnded) {
      // libzstd finished the frame before the scanner did: they disagree on its structure.
      throw corrupt(this.label, 'zstd', `frame ${f.index} ended after ${f.z.bytesWritten} bytes, before its last block`);
    }
    if (!f.z.write(bytes)) await waitWritable(f.z);
  }

  private async endStream(f: StreamedFrame, compressedSize: number): Promise<void> {
    f.z.end();
    await f.ended;
    if (f.z.bytesWritten !== compressedSize) {
      throw corrupt(this.label, 'zstd', `frame ${f.index} ended after ${f.z.bytesWritten} of its ${compressedSize} bytes`);
    }
  }
}
