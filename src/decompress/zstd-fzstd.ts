import { ArchiveError } from '../errors.js';
import { DecoderStream } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import { formatBytes, type FrameHeader } from './frame-header.js';
import { ZstdFrameScanner } from './frame-scanner.js';

/**
 * Largest zstd window the pure-JS decoder (fzstd 0.1.1) is trusted with.
 *
 * fzstd reads an offset's extra bits as `(32-bit word) >>> (bitpos & 7)`, which keeps only 25 to
 * 32 of them; a match offset of 96 MiB or more needs 26 extra bits with the top one set, and when
 * the bit position is 7 that bit is lost: wrong bytes, no error. Measured with generated data:
 * matches reaching back 32-64 MiB (--long=26) and 64-96 MiB (a 110 MiB single-segment frame)
 * decode correctly; matches reaching back 96-100 MiB, or 64-128 MiB with --long=27, decode to
 * wrong bytes silently. 64 MiB (= --long=26) leaves a 32 MiB margin below the failure.
 */
export const FZSTD_MAX_WINDOW = 64 * 1024 * 1024;

interface FzstdModule {
  Decompress: new (ondata?: (data: Uint8Array, final?: boolean) => unknown) => {
    push(chunk: Uint8Array, final?: boolean): unknown;
  };
}
interface Hasher {
  update(input: Uint8Array): Hasher;
  digest(): bigint;
}
export interface FzstdDeps {
  fzstd: FzstdModule;
  createXxh64: () => Hasher;
}

let deps: Promise<FzstdDeps> | undefined;

/** fzstd and an XXH64 implementation (xxhash-wasm), loaded once, on first use. */
export function loadFzstdDeps(): Promise<FzstdDeps> {
  deps ??= (async () => {
    const [fzstd, xxhashMod] = await Promise.all([import('fzstd'), import('xxhash-wasm')]);
    const xxh = await xxhashMod.default();
    return { fzstd, createXxh64: () => xxh.create64() };
  })();
  return deps;
}

interface Frame {
  index: number;
  header: FrameHeader;
  dec: InstanceType<FzstdModule['Decompress']>;
  hasher: Hasher | undefined;
  produced: number;
}

/**
 * zstd through fzstd (pure JS): the fallback when this Node has no native zstd and no `zstd`
 * program is on PATH. The frame scanner feeds fzstd one frame and at most one block at a time
 * (so output per step is at most 128 KiB and backpressure holds), refuses windows fzstd gets
 * wrong, and checks what fzstd does not: each frame's Content_Checksum (XXH64, low 32 bits),
 * its Frame_Content_Size, and that it needs no dictionary.
 */
export class FzstdDecoder extends DecoderStream {
  private readonly scanner = new ZstdFrameScanner({ splitBlocks: true });
  private frame: Frame | undefined;
  private pending: Uint8Array[] = [];

  constructor(
    label: string,
    private readonly deps: FzstdDeps,
  ) {
    super(label, 'zstd');
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (const ev of this.scanner.push(chunk)) {
      if (ev.type === 'frame') {
        this.frame = this.startFrame(ev.index, ev.header);
        await this.feed(ev.head, false);
      } else if (ev.type === 'data') {
        await this.feed(ev.bytes, false);
      } else {
        await this.feed(new Uint8Array(0), true);
        this.endFrame(ev.checksum);
      }
    }
  }

  protected onEnd(): void {
    this.scanner.finish();
  }

  protected onDestroy(): void {
    this.frame = undefined;
    this.pending = [];
  }

  private startFrame(index: number, header: FrameHeader): Frame {
    if (header.dictionaryId !== 0) {
      throw corrupt(this.label, 'zstd', `frame ${index} needs zstd dictionary ${header.dictionaryId}; dictionaries are not supported`);
    }
    if (header.windowSize > FZSTD_MAX_WINDOW) {
      throw new ArchiveError(
        `${this.label}: zstd frame ${index} uses a ${formatBytes(header.windowSize)} window (e.g. written with zstd --long); ` +
          `the built-in JavaScript zstd decoder only decodes windows up to ${formatBytes(FZSTD_MAX_WINDOW)} correctly`,
        {
          hint:
            'Upgrade to Node.js >= 22.15 (native zstd), or install the zstd program (e.g. `apt-get install zstd`, ' +
            '`brew install zstd`) so archive can use it, then retry.',
        },
      );
    }
    const dec = new this.deps.fzstd.Decompress((data) => {
      if (data.length > 0) this.pending.push(data);
    });
    return { index, header, dec, hasher: header.hasChecksum ? this.deps.createXxh64() : undefined, produced: 0 };
  }

  private async feed(bytes: Uint8Array, final: boolean): Promise<void> {
    const f = this.frame!;
    try {
      f.dec.push(bytes, final);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw corrupt(this.label, 'zstd', `frame ${f.index}: ${msg}`, err);
    }
    const out = this.pending;
    this.pending = [];
    for (const block of out) {
      f.produced += block.length;
      f.hasher?.update(block);
      const wait = this.output(block);
      if (wait) await wait;
    }
  }

  private endFrame(checksum: number | undefined): void {
    const f = this.frame!;
    this.frame = undefined;
    const { contentSize } = f.header;
    if (contentSize !== undefined && f.produced !== contentSize) {
      throw corrupt(this.label, 'zstd', `frame ${f.index} decoded to ${f.produced} bytes, its header says ${contentSize}`);
    }
    if (f.hasher && checksum !== undefined) {
      const actual = Number(f.hasher.digest() & 0xffffffffn);
      if (actual !== checksum) {
        throw corrupt(
          this.label,
          'zstd',
          `frame ${f.index} content checksum mismatch (expected ${hex32(checksum)}, got ${hex32(actual)})`,
        );
      }
    }
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
