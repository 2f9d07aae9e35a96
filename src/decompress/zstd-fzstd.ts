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
  Decompress: new (
    ondata?: (data: Uint8Array, final?: boolean) => unknown,
  ) => {
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

/** Refuses a frame fzstd must not decode: one needing a dictionary, or a window it gets wrong. */
export function checkFzstdFrame(label: string, index: number, header: FrameHeader): void {
  if (header.dictionaryId !== 0) {
    throw corrupt(label, 'zstd', `frame ${index} needs zstd dictionary ${header.dictionaryId}; dictionaries are not supported`);
  }
  if (header.windowSize > FZSTD_MAX_WINDOW) {
    throw new ArchiveError(
      `${label}: zstd frame ${index} uses a ${formatBytes(header.windowSize)} window (e.g. written with zstd --long); ` +
        `the built-in JavaScript zstd decoder only decodes windows up to ${formatBytes(FZSTD_MAX_WINDOW)} correctly`,
      {
        hint:
          'Upgrade to Node.js >= 22.15 (native zstd), or install the zstd program (e.g. `apt-get install zstd`, ' +
          '`brew install zstd`) so archive can use it, then retry.',
      },
    );
  }
}

/**
 * One zstd frame through fzstd, with the checks fzstd does not make: Content_Checksum (XXH64,
 * low 32 bits) and Frame_Content_Size. Feed it the frame's bytes in order (at most one block at
 * a time keeps each step's output at most 128 KiB); push() returns the decoded bytes.
 */
export class FzstdFrame {
  private readonly dec: InstanceType<FzstdModule['Decompress']>;
  private readonly hasher: Hasher | undefined;
  private pending: Uint8Array[] = [];
  private produced = 0;

  constructor(
    private readonly label: string,
    readonly index: number,
    readonly header: FrameHeader,
    deps: FzstdDeps,
  ) {
    checkFzstdFrame(label, index, header);
    this.dec = new deps.fzstd.Decompress((data) => {
      if (data.length > 0) this.pending.push(data);
    });
    this.hasher = header.hasChecksum ? deps.createXxh64() : undefined;
  }

  push(bytes: Uint8Array, final: boolean): Uint8Array[] {
    try {
      this.dec.push(bytes, final);
    } catch (err) {
      this.pending = [];
      const msg = err instanceof Error ? err.message : String(err);
      throw corrupt(this.label, 'zstd', `frame ${this.index}: ${msg}`, err);
    }
    const out = this.pending;
    this.pending = [];
    for (const block of out) {
      this.produced += block.length;
      this.hasher?.update(block);
    }
    return out;
  }

  /** After the last push(…, true): checks content size and checksum. */
  end(checksum: number | undefined): void {
    const { contentSize } = this.header;
    if (contentSize !== undefined && this.produced !== contentSize) {
      throw corrupt(this.label, 'zstd', `frame ${this.index} decoded to ${this.produced} bytes, its header says ${contentSize}`);
    }
    if (this.hasher && checksum !== undefined) {
      const actual = Number(this.hasher.digest() & 0xffffffffn);
      if (actual !== checksum) {
        throw corrupt(
          this.label,
          'zstd',
          `frame ${this.index} content checksum mismatch (expected ${hex32(checksum)}, got ${hex32(actual)})`,
        );
      }
    }
  }
}

/**
 * zstd through fzstd (pure JS): the fallback when this Node has no native zstd and no `zstd`
 * program is on PATH (and the hybrid's choice for small windows). The frame scanner feeds fzstd
 * one frame and at most one block at a time (so output per step is at most 128 KiB and
 * backpressure holds); FzstdFrame refuses windows fzstd gets wrong and frames needing a
 * dictionary, and checks each frame's checksum and content size.
 */
export class FzstdDecoder extends DecoderStream {
  private readonly scanner = new ZstdFrameScanner({ splitBlocks: true });
  private frame: FzstdFrame | undefined;

  constructor(
    label: string,
    private readonly deps: FzstdDeps,
  ) {
    super(label, 'zstd');
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (const ev of this.scanner.push(chunk)) {
      if (ev.type === 'frame') {
        this.frame = new FzstdFrame(this.label, ev.index, ev.header, this.deps);
        await this.feed(ev.head, false);
      } else if (ev.type === 'data') {
        await this.feed(ev.bytes, false);
      } else {
        await this.feed(new Uint8Array(0), true);
        const f = this.frame!;
        this.frame = undefined;
        f.end(ev.checksum);
      }
    }
  }

  protected onEnd(): void {
    this.scanner.finish();
  }

  protected onDestroy(): void {
    this.frame = undefined;
  }

  private async feed(bytes: Uint8Array, final: boolean): Promise<void> {
    for (const block of this.frame!.push(bytes, final)) {
      const wait = this.output(block);
      if (wait) await wait;
    }
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
