/**
 * The object filters shared by list, pull and cat: globs, time window, kind and host.
 */
import picomatch from 'picomatch';
import type { KeyFacts } from './layouts/types.js';
import type { ColdState, ObjectInfo } from './providers/types.js';
import { parseTimeSpec } from './time.js';
import { folderBound, spanOverlaps } from './layouts/time-folders.js';
import { latestStampDay, nameBound } from './layouts/name-stamps.js';
import { UsageError } from './errors.js';
import { KIND_NAMES, KINDS } from './layouts/kinds.js';

export interface FilterOptions {
  include?: string[];
  exclude?: string[];
  since?: string;
  until?: string;
  kind?: string[];
  host?: string[];
}

export interface TimeWindow {
  since?: Date;
  until?: Date;
}

export interface Entry extends ObjectInfo {
  facts: KeyFacts;
  /** The time used for filtering and ordering: the key's own time when a layout found one. */
  time: Date;
  timeEnd?: Date;
  timeSource: 'key' | 'modified';
  /** Set when the object is not simply online: archived, restoring, or restored (providers/cold-state.ts). */
  cold?: ColdState;
}

export type EntryFilter = (e: Entry, relKey: string) => boolean;

/** `--kind a,b`: a list of names, comma-separated or repeated. */
function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * `--include`, `--exclude`, `--host`: each value is one glob, as typed (a comma belongs to the glob:
 * `{a,b}/*`); repeating the flag gives several. Only empty values are dropped.
 */
function globList(values: string[] | undefined): string[] {
  return (values ?? []).filter((v) => v !== '');
}

/**
 * picomatch's `**` and `?` compile to `.`, which stops at a newline; keys may hold one. The `s`
 * flag lets every wildcard cross it (`*` and `?` still never cross '/').
 */
const GLOB_FLAGS = { dot: true, flags: 's' } as const;

export function timeWindow(opts: FilterOptions, now = new Date()): TimeWindow {
  const w: TimeWindow = {
    since: opts.since ? parseTimeSpec(opts.since, '--since', now) : undefined,
    until: opts.until ? parseTimeSpec(opts.until, '--until', now) : undefined,
  };
  if (w.since && w.until && w.since >= w.until) {
    throw new UsageError(`--since (${w.since.toISOString()}) is not before --until (${w.until.toISOString()})`, {
      hint: 'swap the two, or widen the window',
    });
  }
  return w;
}

/** A key-time range [time, timeEnd) overlaps [since, until); a point time must fall inside it. */
export function inWindow(w: TimeWindow, time: Date, timeEnd?: Date): boolean {
  const start = time.getTime();
  const end = timeEnd ? timeEnd.getTime() : start;
  if (w.since && (timeEnd ? end <= w.since.getTime() : start < w.since.getTime())) return false;
  if (w.until && start >= w.until.getTime()) return false;
  return true;
}

/**
 * A glob without '/' matches the file name (like `--include '*.zst'` in rclone/azcopy), one with '/'
 * matches the path. Done here rather than with picomatch's `basename` option, which breaks `**` globs.
 */
export function globMatcher(globs: string[]): (key: string) => boolean {
  const byName = globs.filter((g) => !g.includes('/'));
  const byPath = globs.filter((g) => g.includes('/'));
  const name = byName.length ? picomatch(byName, GLOB_FLAGS) : undefined;
  const path = byPath.length ? picomatch(byPath, GLOB_FLAGS) : undefined;
  return (key) => (name ? name(key.slice(key.lastIndexOf('/') + 1)) : false) || (path ? path(key) : false);
}

/**
 * The --kind and --host tests as the filter applies them (an entry passes when its kind is in
 * `kinds`, lower-cased, and its host passes `hostMatch`); the pruning planner reasons from the same
 * two (listing/scope.ts), so they are built in one place.
 */
export function scopeFilters(opts: FilterOptions): { kinds: Set<string>; hostMatch?: (host: string) => boolean } {
  const kinds = new Set(splitList(opts.kind).map((k) => k.toLowerCase()));
  // A kind no layout gives can match nothing: say so instead of answering "0 objects".
  for (const k of kinds)
    if (!Object.hasOwn(KINDS, k)) throw new UsageError(`unknown kind "${k}"`, { hint: `use one of: ${KIND_NAMES.join(', ')}` });
  const hosts = globList(opts.host);
  // `flags` replaces picomatch's own `nocase` flag: 'i' is given here with 's'.
  const hostMatch = hosts.length ? picomatch(hosts, { nocase: true, flags: 'si' }) : undefined;
  return { kinds, hostMatch };
}

export function buildFilter(opts: FilterOptions, now = new Date()): EntryFilter {
  const matcher = (globs: string[]) => (globs.length ? globMatcher(globs) : undefined);
  const inc = matcher(globList(opts.include));
  const exc = matcher(globList(opts.exclude));
  const { kinds, hostMatch } = scopeFilters(opts);
  const w = timeWindow(opts, now);
  const hasWindow = !!(w.since || w.until);
  const since = w.since?.getTime();
  const until = w.until?.getTime();
  const latestDay = latestStampDay(until, now.getTime());
  return (e, relKey) => {
    if (inc && !inc(relKey) && !inc(e.key)) return false;
    if (exc && (exc(relKey) || exc(e.key))) return false;
    if (kinds.size && !kinds.has((e.facts.kind ?? '').toLowerCase())) return false;
    if (hostMatch && !(e.facts.host && hostMatch(e.facts.host))) return false;
    if (hasWindow) {
      if (!inWindow(w, e.time, e.timeEnd)) return false;
      // Time folders bind what lies below them (layouts/time-folders.ts): the rule that lets a
      // pruned listing skip a folder and still give exactly this answer.
      const bound = folderBound(e.key);
      if (bound === null || (bound && !spanOverlaps(bound, since, until))) return false;
      // …and so do Vespa's name stamps (layouts/name-stamps.ts): what lets it list only the window's days.
      const named = nameBound(e.key, latestDay);
      if (named === null || (named && !spanOverlaps(named, since, until))) return false;
    }
    return true;
  };
}
