/**
 * What `--follow` has already shown: one record per object (per location and key) with the version
 * it saw (ETag; size and last-modified when a service gives none), and, for objects whose content
 * was read, its first bytes (which codec) and last bytes (to verify that a rewrite only appended).
 * Pure: no I/O, no clock.
 *
 * An object counts as shown only once the printer confirms it (`shown`): one that failed to print
 * stays new and is tried again at the next poll, up to MAX_ATTEMPTS times per version.
 */
import type { Entry } from '../filter.js';

/** Reads of one version of one object before follow gives up on it (and says so). */
export const MAX_ATTEMPTS = 3;

export interface Seen {
  version: string;
  size: number;
  /** Whether its records (or its row) were printed; false for objects older than --since at the start. */
  printed: boolean;
  /** First stored bytes, when read (which codec the object is in). */
  head?: Buffer;
  /** The last stored bytes up to `size` (at most TAIL_BYTES, follow/append.ts), when known. */
  tail?: Buffer;
}

export type ChangeKind = 'initial' | 'new' | 'late' | 'rewritten';

export interface Change<S = unknown> {
  source: S;
  /** Index of the source (the location) among those followed. */
  at: number;
  entry: Entry;
  kind: ChangeKind;
  /** What was seen of this key before, for a rewrite. */
  previous?: Seen;
}

/** The version an object is at: its ETag, else size and last-modified. */
export function versionOf(e: Entry): string {
  return e.etag ?? `${e.size}:${e.lastModified.getTime()}`;
}

/** The key's end of data, for "late": the end of the span its key gives, else its time. */
function dataTime(e: Entry): number {
  return (e.timeEnd ?? e.time).getTime();
}

export class Tracker {
  private readonly seen = new Map<string, Seen>();
  /** Failed reads per object, of the version they failed on. */
  private readonly attempts = new Map<string, { version: string; n: number }>();
  /** The newest data time printed so far: an object older than it that appears later is late. */
  private newest = Number.NEGATIVE_INFINITY;

  private id(at: number, key: string): string {
    return `${at}\u0000${key}`;
  }

  get(at: number, key: string): Seen | undefined {
    return this.seen.get(this.id(at, key));
  }

  get size(): number {
    return this.seen.size;
  }

  /** What `entry` is to follow: undefined when this version was shown (or given up on) already. */
  classify(at: number, entry: Entry): { kind: Exclude<ChangeKind, 'initial'>; previous?: Seen } | undefined {
    const s = this.seen.get(this.id(at, entry.key));
    if (!s) return { kind: dataTime(entry) < this.newest ? 'late' : 'new' };
    if (s.version === versionOf(entry)) return undefined;
    return { kind: 'rewritten', previous: s };
  }

  /** Remembers an object without printing it (older than --since at the start). */
  remember(at: number, entry: Entry, bytes: { head?: Buffer; tail?: Buffer } = {}): void {
    this.seen.set(this.id(at, entry.key), { version: versionOf(entry), size: entry.size, printed: false, ...bytes });
  }

  /** The change was printed: this version is shown; `bytes` what was read of it, if anything. */
  shown(c: Change, bytes: { head?: Buffer; tail?: Buffer } = {}): void {
    const id = this.id(c.at, c.entry.key);
    this.seen.set(id, { version: versionOf(c.entry), size: c.entry.size, printed: true, ...bytes });
    this.attempts.delete(id);
    this.newest = Math.max(this.newest, dataTime(c.entry));
  }

  /**
   * The change could not be printed. Returns true when this was its last attempt: the version is
   * then remembered as seen (so it is not read again every poll) and the caller says it gave up.
   */
  failed(c: Change): boolean {
    const id = this.id(c.at, c.entry.key);
    const version = versionOf(c.entry);
    const before = this.attempts.get(id);
    const n = (before?.version === version ? before.n : 0) + 1;
    if (n < MAX_ATTEMPTS) {
      this.attempts.set(id, { version, n });
      return false;
    }
    this.attempts.delete(id);
    this.seen.set(id, { version, size: c.entry.size, printed: false });
    return true;
  }

  /**
   * Forgets the objects of location `at` that a complete listing of the window no longer holds
   * (their time left the window, or they were deleted), so memory follows the window, not the run.
   */
  retain(at: number, keys: ReadonlySet<string>): void {
    const prefix = `${at}\u0000`;
    for (const map of [this.seen, this.attempts])
      for (const id of map.keys()) if (id.startsWith(prefix) && !keys.has(id.slice(prefix.length))) map.delete(id);
  }
}
