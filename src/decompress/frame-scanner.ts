import {
  MAX_BLOCK_SIZE,
  MAX_FRAME_HEADER_SIZE,
  ZSTD_MAGIC,
  ZstdFormatError,
  frameHeaderSize,
  isSkippableMagic,
  parseFrameHeader,
  readU32LE,
  type FrameHeader,
} from './frame-header.js';

/**
 * What the scanner found in the compressed bytes, in order:
 * - `frame`: zstd frame number `index` (from 1) begins; `head` holds its magic + header bytes (a copy).
 * - `data`: the frame's following bytes (block headers, block bodies, checksum), as views into
 *   the pushed chunk; with `splitBlocks`, split at block ends so that a consumer can bound how
 *   much it decodes at once (one data event then never spans more than one block).
 * - `end`: the frame is complete; `checksum` is its Content_Checksum field when it has one,
 *   `compressedSize` the frame's size in bytes (header to checksum).
 * Skippable frames are consumed silently.
 */
export type ScanEvent =
  | { type: 'frame'; index: number; header: FrameHeader; head: Uint8Array }
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'end'; index: number; checksum: number | undefined; compressedSize: number };

enum State {
  Magic,
  Header,
  SkipSize,
  Skip,
  BlockHeader,
  BlockBody,
  Checksum,
}

/**
 * Walks a zstd stream's framing (frames, skippable frames, block headers, checksums) without
 * decoding anything, so frame boundaries, truncation and trailing garbage are known on every
 * decoder path. Cost: a few bytes of parsing per block (blocks are at most 128 KiB).
 */
export class ZstdFrameScanner {
  private state = State.Magic;
  /** Small fields gathered across chunk borders (magic, header, block header, checksum). */
  private readonly tmp = new Uint8Array(MAX_FRAME_HEADER_SIZE);
  private tmpLen = 0;
  private need = 4;
  private remaining = 0;
  private lastBlock = false;
  private header: FrameHeader | undefined;
  private frameBytes = 0;
  /** Absolute input offset of the current chunk's first byte. */
  private offset = 0;
  private frameStart = 0;
  framesSeen = 0;
  skippableSeen = 0;

  constructor(private readonly opts: { splitBlocks?: boolean } = {}) {}

  // Per-push context.
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Start of not-yet-emitted frame bytes in this chunk, or -1 outside a frame body. */
  private dataStart = -1;
  private events: ScanEvent[] = [];

  push(chunk: Uint8Array): ScanEvent[] {
    this.chunk = chunk;
    this.pos = 0;
    this.events = [];
    this.dataStart = this.inFrameBody() ? 0 : -1;
    const n = chunk.length;
    while (this.pos < n) {
      if (this.state === State.Skip || this.state === State.BlockBody) {
        const take = Math.min(this.remaining, n - this.pos);
        this.pos += take;
        this.remaining -= take;
        if (this.remaining > 0) continue;
        if (this.state === State.Skip) this.expect(State.Magic, 4);
        else this.blockDone();
        continue;
      }
      const take = Math.min(this.need - this.tmpLen, n - this.pos);
      this.tmp.set(chunk.subarray(this.pos, this.pos + take), this.tmpLen);
      this.tmpLen += take;
      this.pos += take;
      if (this.tmpLen < this.need) continue;
      switch (this.state) {
        case State.Magic:
          this.onMagic();
          break;
        case State.Header:
          this.onHeader();
          break;
        case State.SkipSize:
          this.onSkipSize();
          break;
        case State.BlockHeader:
          this.onBlockHeader();
          break;
        case State.Checksum:
          this.endFrame(readU32LE(this.tmp, 0));
          break;
      }
    }
    this.flushData();
    this.offset += n;
    const events = this.events;
    this.events = [];
    this.chunk = new Uint8Array(0);
    return events;
  }

  /** Call at end of input: throws unless the input ended cleanly between frames. */
  finish(): void {
    if (this.state !== State.Magic || this.tmpLen !== 0) {
      const what = this.state === State.Skip || this.state === State.SkipSize ? 'a skippable frame' : `frame ${this.framesSeen + 1}`;
      throw new ZstdFormatError(
        `truncated: the input ends inside ${what} (which starts at byte ${this.frameStart}; input is ${this.offset} bytes)`,
      );
    }
    if (this.framesSeen === 0 && this.skippableSeen === 0) throw new ZstdFormatError('empty input: no zstd frame');
  }

  private inFrameBody(): boolean {
    return this.state === State.BlockHeader || this.state === State.BlockBody || this.state === State.Checksum;
  }

  private flushData(): void {
    if (this.dataStart >= 0 && this.pos > this.dataStart) {
      this.events.push({ type: 'data', bytes: this.chunk.subarray(this.dataStart, this.pos) });
      this.frameBytes += this.pos - this.dataStart;
    }
    this.dataStart = this.inFrameBody() ? this.pos : -1;
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
    this.tmpLen = 0;
  }

  private onMagic(): void {
    const magic = readU32LE(this.tmp, 0);
    this.frameStart = this.offset + this.pos - 4;
    if (magic === ZSTD_MAGIC) {
      this.state = State.Header;
      this.need = 5; // magic + descriptor; then the full header size is known
    } else if (isSkippableMagic(magic)) {
      this.state = State.SkipSize;
      this.need = 8;
    } else {
      const seen = this.framesSeen + this.skippableSeen;
      const bytes = hex(this.tmp.subarray(0, 4));
      throw new ZstdFormatError(
        seen === 0
          ? `not zstd data (starts with bytes ${bytes}, expected 28 b5 2f fd)`
          : `unexpected bytes ${bytes} at byte ${this.frameStart}, after frame ${seen} (trailing garbage or corruption)`,
      );
    }
  }

  private onHeader(): void {
    if (this.need === 5) {
      const size = frameHeaderSize(this.tmp[4]!);
      if (size > 5) {
        this.need = size;
        return;
      }
    }
    const head = this.tmp.slice(0, this.need);
    const header = parseFrameHeader(head);
    this.header = header;
    this.frameBytes = head.length;
    this.events.push({ type: 'frame', index: this.framesSeen + 1, header, head });
    this.expect(State.BlockHeader, 3);
    this.dataStart = this.pos;
  }

  private onSkipSize(): void {
    this.remaining = readU32LE(this.tmp, 4);
    this.skippableSeen++;
    if (this.remaining === 0) this.expect(State.Magic, 4);
    else this.expect(State.Skip, 0);
  }

  private onBlockHeader(): void {
    const h = this.tmp[0]! | (this.tmp[1]! << 8) | (this.tmp[2]! << 16);
    this.lastBlock = (h & 1) === 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    if (type === 3) throw new ZstdFormatError(`frame ${this.framesSeen + 1} has a block of reserved type 3 (corrupt)`);
    if (size > MAX_BLOCK_SIZE) {
      throw new ZstdFormatError(`frame ${this.framesSeen + 1} has a block of ${size} bytes, more than the 128 KiB maximum (corrupt)`);
    }
    this.remaining = type === 1 ? 1 : size; // an RLE block carries one byte
    if (this.remaining > 0) this.expect(State.BlockBody, 0);
    else this.blockDone();
  }

  private blockDone(): void {
    if (!this.lastBlock) {
      this.expect(State.BlockHeader, 3);
      if (this.opts.splitBlocks) this.flushData();
    } else if (this.header!.hasChecksum) {
      this.expect(State.Checksum, 4);
    } else {
      this.endFrame(undefined);
    }
  }

  private endFrame(checksum: number | undefined): void {
    this.expect(State.Magic, 4);
    this.flushData();
    this.framesSeen++;
    this.events.push({ type: 'end', index: this.framesSeen, checksum, compressedSize: this.frameBytes });
    this.header = undefined;
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
