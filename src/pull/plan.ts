/**
 * What a pull will do: which objects, in which shard, under which local paths, with duplicates
 * (re-exported partitions) resolved. Pure apart from the listing itself.
 */
import { createHash } from 'node:crypto';
import { codecFor, stripCodecSuffix, type Codec } from '../decompress/index.js';
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
  codec: Codec;
  /** Set when a name clash gave this item a hashed suffix: its path no longer implies its key. */
  renamed?: boolean;
}

export interface DuplicateNote {
  kept: Entry;
  dropped: Entry;
}

export interface PlanOptions {
  stripPrefix: string;
  flatten?: boolean;
  decompress?: boolean;
  shard?: Shard;
}

export function planItem(entry: Entry, o: PlanOptions): PullItem {
  const codec = o.decompress ? codecFor(entry.key) : 'none';
  let rel = keyToRelativePath(entry.key, { stripPrefix: o.stripPrefix, flatten: o.flatten });
  if (codec !== 'none') rel = stripCodecSuffix(rel);
  return { entry, rel, codec };
}

export function inShard(entry: Entry, shard: Shard | undefined): boolean {
  return !shard || shardOf(entry.facts.partition ?? entry.key, shard.count) === shard.index;
}

/** Keeps the newest object of each logical partition (a backfill re-export supersedes the original). */
export function dedupe(entries: Entry[]): { kept: Entry[]; notes: DuplicateNote[] } {
  const best = new Map<string, Entry>();
  const notes: DuplicateNote[] = [];
  for (const e of entries) {
    const p = e.facts.partition;
    if (!p) continue;
    const cur = best.get(p);
    if (!cur) best.set(p, e);
    else if (e.lastModified > cur.lastModified || (e.lastModified.getTime() === cur.lastModified.getTime() && e.key > cur.key)) {
      notes.push({ kept: e, dropped: cur });
      best.set(p, e);
    } else notes.push({ kept: cur, dropped: e });
  }
  const dropped = new Set(notes.map((n) => n.dropped));
  // A note's "kept" may itself be dropped later by a newer copy; report the final winner.
  for (const n of notes) n.kept = best.get(n.dropped.facts.partition!)!;
  return { kept: entries.filter((e) => !dropped.has(e)), notes };
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
