/**
 * Which compression an object uses. Decoding decides by the content (sniffCodec: magic bytes),
 * everywhere (cat, pull --decompress, query), so a zstd object named `.gz` is zstd, a plain one
 * named `.zst` is plain and a 0-byte one is empty; the key's suffix only names the output file.
 */
export type Codec = 'zstd' | 'gzip' | 'none';

/** Bytes sniffCodec needs to tell the formats apart. */
export const SNIFF_BYTES = 4;

/** The codec from the first bytes (magic numbers): gzip 1f 8b, a zstd frame or a zstd skippable frame. */
export function sniffCodec(head: Uint8Array): Codec {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return 'none';
  const magic = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
  if (magic === 0xfd2fb528) return 'zstd';
  // A zstd skippable frame (0x184D2A5?) may lead a seekable-format file.
  if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) return 'zstd';
  return 'none';
}

const SUFFIXES: ReadonlyArray<readonly [string, Codec]> = [
  ['.zst', 'zstd'],
  ['.zstd', 'zstd'],
  ['.gz', 'gzip'],
  ['.gzip', 'gzip'],
];

function matchSuffix(name: string): readonly [string, Codec] | undefined {
  const lower = name.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  for (const entry of SUFFIXES) {
    // A bare ".gz" (nothing before the suffix) is a dotfile, not a compressed "".
    if (base.endsWith(entry[0]) && base.length > entry[0].length) return entry;
  }
  return undefined;
}

/** By name only: `.zst`/`.zstd` → zstd, `.gz`/`.gzip` → gzip (case-insensitive), anything else → none. */
export function codecFor(key: string): Codec {
  return matchSuffix(key)?.[1] ?? 'none';
}

/** Drops the compression suffix: `a.log.gz` → `a.log`; names without one are returned unchanged. */
export function stripCodecSuffix(name: string): string {
  const m = matchSuffix(name);
  return m ? name.slice(0, name.length - m[0].length) : name;
}
