/**
 * Zstandard frame headers (RFC 8878 §3.1.1), parsed here so that every decoder path can be
 * checked against the same facts: window size, content size, checksum flag, dictionary id.
 */

export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F. */
export const SKIPPABLE_MAGIC_BASE = 0x184d2a50;
export const MAX_FRAME_HEADER_SIZE = 18;
/** Block_Maximum_Size is min(Window_Size, 128 KiB); no block may be larger than this. */
export const MAX_BLOCK_SIZE = 128 * 1024;

/** Malformed zstd framing. Decoders turn it into an IntegrityError naming the object. */
export class ZstdFormatError extends Error {
  override readonly name = 'ZstdFormatError';
}

export interface FrameHeader {
  /** Bytes from the magic number to the end of the header (6..18). */
  headerSize: number;
  /** Window_Size in bytes: the history a decoder must keep. */
  windowSize: number;
  singleSegment: boolean;
  /** Frame_Content_Size when the header carries it. */
  contentSize: number | undefined;
  hasChecksum: boolean;
  /** 0 when the frame needs no dictionary. */
  dictionaryId: number;
}

export function readU32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function isSkippableMagic(magic: number): boolean {
  return (magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC_BASE;
}

const FCS_FIELD_SIZE = [0, 2, 4, 8] as const;
const DID_FIELD_SIZE = [0, 1, 2, 4] as const;

/** Header size implied by the Frame_Header_Descriptor byte (the byte after the magic). */
export function frameHeaderSize(fhd: number): number {
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const fcsSize = fcsFlag === 0 ? singleSegment : FCS_FIELD_SIZE[fcsFlag]!;
  return 4 + 1 + (singleSegment ? 0 : 1) + DID_FIELD_SIZE[fhd & 3]! + fcsSize;
}

function readLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

/** Parses a complete frame header; `b` starts at the magic number and holds frameHeaderSize() bytes. */
export function parseFrameHeader(b: Uint8Array): FrameHeader {
  if (b.length < 5 || readU32LE(b, 0) !== ZSTD_MAGIC) throw new ZstdFormatError('not a zstd frame (bad magic number)');
  const fhd = b[4]!;
  const headerSize = frameHeaderSize(fhd);
  if (b.length < headerSize) throw new ZstdFormatError('frame header is truncated');
  if (fhd & 0x08) throw new ZstdFormatError('frame header has the reserved bit set');
  const singleSegment = ((fhd >> 5) & 1) === 1;
  const hasChecksum = ((fhd >> 2) & 1) === 1;
  const fcsFlag = fhd >> 6;
  let at = 5;
  let windowSize = 0;
  if (!singleSegment) {
    const wd = b[at++]!;
    const windowLog = 10 + (wd >> 3);
    const windowBase = 2 ** windowLog;
    windowSize = windowBase + (windowBase / 8) * (wd & 7);
  }
  const didSize = DID_FIELD_SIZE[fhd & 3]!;
  const dictionaryId = readLE(b, at, didSize);
  at += didSize;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : FCS_FIELD_SIZE[fcsFlag]!;
  let contentSize: number | undefined;
  if (fcsSize > 0) {
    contentSize = readLE(b, at, fcsSize);
    if (fcsSize === 2) contentSize += 256;
  }
  if (singleSegment) windowSize = contentSize!;
  return { headerSize, windowSize, singleSegment, contentSize, hasChecksum, dictionaryId };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
