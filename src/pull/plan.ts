/**
 * What a pull will do: which objects, in which shard, under which local paths, with duplicates
 * (re-exported partitions) resolved. Pure apart from the listing itself.
 */
import { createHash } from 'node:crypto';
import { stripCodecSuffix } from '../decompress/index.js';
import type { Entry } from '../filter.js';
import { UsageError } from '../errors.js';
import { keyToRelativePath } from './safe-path.js';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string | undefined): Shard | undefined {
  if (!text) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard "${text}": expected i/n with 1 <= i <= n`, { hint: 'e.g. --shard 1/4 … --shard 4/4 on four CI workers' });
  }
  return { index: index - 1, count };
}

/**
 * Stable across machines and runs: the same key always lands in the same shard whatever else
 * the listing holds, so n workers together pull every object exactly once.
 */
export function shardOf(id: string, count: number): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) % count;
}

export interface PullItem {
  entry: Entry;
  /** Path relative to DEST. */
  rel: string;
  /** 'auto' with --decompress: the bytes decide what is decoded (transfer.ts); the name only loses its suffix. */
  codec: 'auto' | 'none';
  /** Set when a name clash gave this item a hashed suffix: its path no longer implies its key. */
  renamed?: boolean;
}

export interface PlanOptions {
  stripPrefix: string;
  flatten?: boolean;
  decompress?: boolean;
  shard?: Shard;
}

export function planItem(entry: Entry, o: PlanOptions): PullItem {
  const codec = o.decompress ? 'auto' : 'none';
  let rel = keyToRelativePath(entry.key, { stripPrefix: o.stripPrefix, flatten: o.flatten });
  if (o.decompress) rel = stripCodecSuffix(rel);
  return { entry, rel, codec };
}

const shardId = (e: Entry) => e.facts.partition ?? e.key;

/**
 * Shards balanced by bytes: objects (a partition's copies together) sorted largest first, each
 * given to the shard with the fewest bytes so far (fewest objects, then lowest index, on a tie).
 * Deterministic for the same listing, so n workers together pull every object exactly once. A hash
 * of the key alone was stable across listings but left 12 objects over 4 shards as 1/6/0/5; the
 * price of balance is that a listing that changes between workers (a new object arrived) can move
 * objects between shards: give every worker the same `--until` so they list the same objects.
 */
export function shardAssigner(entries: readonly Entry[], count: number): (e: Entry) => number {
  const bytes = new Map<string, number>();
  for (const e of entries) bytes.set(shardId(e), Math.max(bytes.get(shardId(e)) ?? 0, e.size));
  const order = [...bytes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const load = Array.from({ length: count }, () => ({ bytes: 0, objects: 0 }));
  const shardOfId = new Map<string, number>();
  for (const [id, size] of order) {
    let best = 0;
    for (let i = 1; i < count; i++) {
      const a = load[i];
      const b = load[best];
      if (a.bytes < b.bytes || (a.bytes === b.bytes && a.objects < b.objects)) best = i;
    }
    load[best].bytes += size;
    load[best].objects++;
    shardOfId.set(id, best);
  }
  return (e) => shardOfId.get(shardId(e)) ?? shardOf(shardId(e), count);
}

/**
 * Two keys that map to one local path (possible with --flatten or case/escape collisions): the
 * first in listing order keeps the name. Run over the whole listing, before sharding, so every
 * shard resolves a clash the same way.
 */
export function disambiguate(items: PullItem[]): void {
  const seen = new Map<string, number>();
  for (const it of items) {
    const k = it.rel;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    if (n > 0) {
      const h = createHash('sha256').update(it.entry.key).digest('hex').slice(0, 8);
      const dot = it.rel.lastIndexOf('.');
      const slash = Math.max(it.rel.lastIndexOf('/'), it.rel.lastIndexOf('\\'));
      it.rel = dot > slash + 1 ? `${it.rel.slice(0, dot)}~${h}${it.rel.slice(dot)}` : `${it.rel}~${h}`;
      it.renamed = true;
    }
  }
}
