/** Which compression an object uses, judged by its key's suffix. */
export type Codec = 'zstd' | 'gzip' | 'none';

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

/** `.zst`/`.zstd` → zstd, `.gz`/`.gzip` → gzip (case-insensitive), anything else → none. */
export function codecFor(key: string): Codec {
  return matchSuffix(key)?.[1] ?? 'none';
}

/** Drops the compression suffix: `a.log.gz` → `a.log`; names without one are returned unchanged. */
export function stripCodecSuffix(name: string): string {
  const m = matchSuffix(name);
  return m ? name.slice(0, name.length - m[0].length) : name;
}
