/**
 * The pruning planner's decisions, pure: given a folder (a prefix ending in '/') and the window,
 * list it flat, walk it one level at a time (delimiter listing), or skip it; inside Vespa log
 * folders also: group by the stamp delimiter ('stems'), or list just the window's days ('days').
 *
 * Only `skip` (and the prefixes 'days' leaves out) affects the answer, and it is taken only when
 * the folder's time-folder bound (see layouts/time-folders.ts) misses the window, when the name
 * rule (layouts/name-stamps.ts) puts every key below a prefix outside it, or when no key below can
 * have a kind or host that --kind/--host keep (scope.ts, from the layouts' declared kinds and
 * Vespa's log-folder rule): then every key below is rejected by the same rules the full scan's
 * filter applies, whatever the key. `flat`, `walk` and `stems` all read every key below;
 * choosing between them is a cost guess that can never change the result:
 *   - a folder whose bound lies inside the window can hold nothing prunable: flat (fewest requests);
 *   - a bound that straddles an edge of the window may hide finer time folders: walk, unless it is
 *     a day or less and the window covers a quarter of it or more (mostlyInside): flat;
 *   - a folder with no time in its name is walked while few such levels have been walked (time
 *     folders usually sit 0–2 levels below the location: `SUBPATH/`, `ACCOUNT/`, `table/`), then
 *     read flat, so a deep tree without time folders (Vespa's TENANT/APP/INSTANCE/HOST/…) costs
 *     about what a full scan costs instead of one request per folder.
 */
import { folderBound, partialTimeFolder, spanInside, spanOverlaps, type Span } from '../layouts/time-folders.js';
import { vespaFolder } from '../layouts/vespa.js';
import {
  dayLength,
  FUTURE_SLACK_MS,
  formatDay,
  formatMonth,
  segmentBound,
  segmentStampOf,
  stampDay,
  stemAt,
  type StemAt,
} from '../layouts/name-stamps.js';
import { scopeExcludes, scopeWalksDeep, vespaPossible, type Scope } from './scope.js';

export interface PlanWindow {
  /** Epoch ms, inclusive; undefined = open. */
  since?: number;
  /** Epoch ms, exclusive; undefined = open. */
  until?: number;
  /** --kind/--host, for skipping folders that cannot hold a match (scope.ts). */
  scope?: Scope;
  /** The command's start (epoch ms): the name rule's "more than an hour ahead" is measured from it. */
  now?: number;
}

export const MAX_PLAIN_DEPTH = 2;

/**
 * The same limit when --host or --kind can skip Vespa log folders: deep enough to reach
 * TENANT/APP/INSTANCE/HOST/logs/ from the container root, where the log-type folders are decided.
 */
export const MAX_SCOPE_DEPTH = 5;

export type FolderAction = 'skip' | 'flat' | 'walk' | 'stems' | 'days';

/**
 * The delimiter a 'stems' listing groups by. Every stamp Vespa writes begins with the year's '2',
 * so one listing of `HOST/logs/` groups each stem's files into one prefix (`access/JsonAccessLog.
 * default.2`) and returns what holds no '2' as objects. A single character because both emulators
 * mis-answer longer delimiters (Azurite and s3rver return `JsonAccessLog.default.` for '.2').
 */
export const STAMP_DELIMITER = '2';

/**
 * How a stem's days are listed: one day as its own prefix; several days of one month as the month
 * (a month of hourly files, 744 keys, is one page on either service, so one request instead of two
 * or three: bench:list, Vespa 60 stems, `--since 1d` 164 → 104 requests); days across a month
 * boundary as at most MAX_DAY_PREFIXES days, else at most MAX_MONTH_PREFIXES months, else the
 * whole stem. A cost guess only: every choice reads all of the window's days.
 */
const MAX_DAY_PREFIXES = 3;
const MAX_MONTH_PREFIXES = 2;
/** Windows longer than this many days are not enumerated (the stem is read whole). */
const MAX_ENUMERATED_DAYS = 62;
/** Levels of 'stems' listings below one another (a container name holding a '2') before reading flat. */
const MAX_STEM_DEPTH = 3;

export interface FolderDecision {
  action: FolderAction;
  /** Why, in words for --explain. */
  reason: string;
  /** The folder's time bound (undefined: no time folder in the path; null: contradictory). */
  bound: Span | null | undefined;
  /** Plain levels walked including this one (passed to its children). */
  plainDepth: number;
  /** For --explain: what a run of skipped siblings is summarised by, when not their time folders. */
  run?: string;
  /** 'stems': the delimiter of its listing (STAMP_DELIMITER); 'walk' lists by '/'. */
  delimiter?: string;
  /** 'days': the prefixes to list, in key order, all below the decided one. */
  prefixes?: string[];
  /** 'stems' listings above and including this one. */
  stemDepth?: number;
}

function iso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/T00:00:00Z$/, '');
}

export function describeSpan(s: Span): string {
  return `${iso(s.start)}..${iso(s.end)}`;
}

function sameSpan(a: Span | null | undefined, b: Span | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.start === b.start && a.end === b.end;
}

const DAY_MS = 86_400_000;

/** The share of a span the window covers, 0..1. */
function covered(s: Span, w: PlanWindow): number {
  const start = Math.max(s.start, w.since ?? s.start);
  const end = Math.min(s.end, w.until ?? s.end);
  return end > start ? (end - start) / (s.end - s.start) : 0;
}

/**
 * A folder of at most a day that the window covers a quarter of or more is read flat rather than
 * walked: walking a Hive `day=` folder costs one request per hour folder in the window (bench:list,
 * `--since 1d` over `year=/month=/day=/hour=`: 29 requests against the floor's 4), reading it flat
 * one request per 1,000 keys, for at most 4× the keys the window needs. Larger folders (months,
 * years) are still walked: a month of Cloudflare files is ~9 pages. A cost guess only: flat reads every
 * key below, walk every key below but what it proves cannot match, so the answer is the same.
 */
function mostlyInside(s: Span, w: PlanWindow): boolean {
  return s.end - s.start <= DAY_MS && covered(s, w) >= 0.25;
}

/**
 * Decide for `folder` (ends in '/'), whose parent had bound `parentBound` and `parentPlainDepth`
 * plain levels walked. Skips come first (a folder --kind/--host rules out, scope.ts; a time folder
 * outside the window); without a window or a prunable scope everything is one flat listing.
 */
export function decideFolder(
  folder: string,
  w: PlanWindow,
  parentBound: Span | null | undefined,
  parentPlainDepth: number,
): FolderDecision {
  const bound = folderBound(folder);
  const out = (action: FolderAction, reason: string, plainDepth = parentPlainDepth, run?: string): FolderDecision =>
    run ? { action, reason, bound, plainDepth, run } : { action, reason, bound, plainDepth };
  const ruled = w.scope ? scopeExcludes(folder, w.scope) : undefined;
  if (ruled) return out('skip', ruled.reason, parentPlainDepth, ruled.run);
  const timed = w.since !== undefined || w.until !== undefined;
  const deep = w.scope !== undefined && scopeWalksDeep(w.scope);
  if (!timed && !deep) return out('flat', 'no time window');
  if (timed && bound === null) return out('skip', 'its time folders contradict each other');
  if (timed && bound && !spanOverlaps(bound, w.since, w.until))
    return out('skip', `time folder ${describeSpan(bound)} is outside the window`);
  // Amplitude's and Cloudflare's files carry their day at the start of the name: with the layout
  // named, a folder with no time folder is read by the delimiter that ends the day ('_' after
  // `PROJECT_2026-12-01`, 'T' after `20261201`), which returns one prefix per day that exists.
  const segDelimiter = timed && bound === undefined && w.scope ? SEGMENT_DELIMITERS[w.scope.layout] : undefined;
  if (segDelimiter) return { ...out('stems', `${w.scope!.layout} file names carry their day`), delimiter: segDelimiter, stemDepth: 1 };
  // HOST/logs/ and HOST/logs/TYPE/ with a window: the stems' day prefixes (name-stamps.ts).
  if (timed && !(bound && spanInside(bound, w.since, w.until)) && w.scope && vespaPossible(w.scope.layout)) {
    const v = vespaFolder(folder);
    if (LOGS_DIR_RE.test(folder) || (v && !v.nested))
      return { ...out('stems', 'a Vespa log folder: its stems, by the stamp delimiter'), delimiter: STAMP_DELIMITER, stemDepth: 1 };
  }
  // A Vespa log folder that stays holds files only (and whatever lies below needs no walking to be
  // ruled in or out by scope): one flat listing.
  if (deep && vespaFolder(folder)) return out('flat', 'a Vespa log folder --kind/--host keeps');
  if (timed && bound && spanInside(bound, w.since, w.until)) return out('flat', `time folder ${describeSpan(bound)} is inside the window`);
  const newReading = timed && bound !== undefined && bound !== null && !sameSpan(bound, parentBound);
  if (newReading && mostlyInside(bound!, w))
    return out('flat', `time folder ${describeSpan(bound!)} is mostly inside the window (${Math.round(100 * covered(bound!, w))}%)`);
  if (newReading) return out('walk', `time folder ${describeSpan(bound!)} straddles the window`);
  // Vespa writes no time folders: a Vespa tree below one is a copy, read flat rather than walked
  // (with --host on a year of daily folders, walking each would cost 365 requests instead of ~22
  // pages, to prune nothing).
  if (deep && bound !== undefined) return out('flat', 'a time folder (Vespa log folders are not expected below it)');
  if (timed && partialTimeFolder(folder)) return out('walk', 'a year folder (months may follow)');
  const depth = parentPlainDepth + 1;
  // With a window, Vespa's log folders (TENANT/APP/INSTANCE/HOST/logs/, five levels down) are worth
  // reaching too: their stamps narrow the listing to the window's days.
  const vespaDeep = deep || (timed && w.scope !== undefined && vespaPossible(w.scope.layout));
  const limit = vespaDeep ? MAX_SCOPE_DEPTH : MAX_PLAIN_DEPTH;
  if (depth > limit) return out('flat', `no ${vespaDeep ? 'Vespa log folder' : 'time folder'} within ${limit} levels`, depth);
  return out(
    'walk',
    deep
      ? 'looking for Vespa log folders for --kind/--host'
      : vespaDeep
        ? 'looking for time folders and Vespa log folders'
        : 'looking for time folders',
    depth,
  );
}

/** The delimiter that ends the day in each layout's file names (layouts/name-stamps.ts, segment stamps). */
const SEGMENT_DELIMITERS: Readonly<Record<string, string>> = { amplitude: '_', cloudflare: 'T' };

/** Fewer direct objects than this on a page are too little evidence to switch delimiters on. */
const SWITCH_MIN_OBJECTS = 20;

/**
 * Auto-detection (auto layout only): after a page of a folder's '/' listing, whether the rest of
 * the folder is better read by a segment delimiter. Taken when more pages follow, the folder has no
 * time folder, and 90% or more of the page's direct objects begin with one vendor's stamp (Amplitude
 * `PROJECT_yyyy-MM-dd_`, Cloudflare `YYYYMMDDT`): a folder of such files is one day per prefix by
 * that delimiter, instead of every file. The walk then reads the folder again by the delimiter and
 * keeps only keys after the last one it gave (walk.ts), so the answer cannot change; the cost is the
 * '/' page already requested ahead.
 */
export function decideSwitch(
  d: FolderDecision,
  w: PlanWindow,
  page: { objects: ReadonlyArray<{ key: string }>; more?: boolean },
): FolderDecision | undefined {
  if (!page.more || (d.delimiter ?? '/') !== '/' || d.bound !== undefined) return undefined;
  if (w.scope?.layout !== 'auto' || (w.since === undefined && w.until === undefined)) return undefined;
  const n = page.objects.length;
  if (n < SWITCH_MIN_OBJECTS) return undefined;
  const seen = { amplitude: 0, cloudflare: 0 };
  for (const o of page.objects) {
    const v = segmentStampOf(o.key.slice(o.key.lastIndexOf('/') + 1));
    if (v) seen[v]++;
  }
  const layout = seen.amplitude * 10 >= n * 9 ? 'amplitude' : seen.cloudflare * 10 >= n * 9 ? 'cloudflare' : undefined;
  if (!layout) return undefined;
  return {
    action: 'stems',
    reason: `its files are named like ${layout === 'amplitude' ? "Amplitude's" : "Cloudflare's"}: the rest by '${SEGMENT_DELIMITERS[layout]}'`,
    bound: d.bound,
    plainDepth: d.plainDepth,
    delimiter: SEGMENT_DELIMITERS[layout],
    stemDepth: 1,
  };
}

/** An Amplitude project's prefix (`187520_`, `-189524_`): its days follow, grouped by '_' again. */
const PROJECT_RE = /(?:^|\/)-?\d+_$/;

/** HOST/logs/ (the folder Vespa's log-type folders sit in). */
const LOGS_DIR_RE = /(?:^|\/)[^/]+\/logs\/$/;

/**
 * Decide for `prefix`, a common prefix a 'stems' listing returned (it ends in STAMP_DELIMITER and
 * need not end in '/'). Its folders bind it as any folder's would, --kind/--host judge its folder;
 * then, where it reaches a stem, the name rule decides (decideStamp); elsewhere it is read whole.
 */
export function decideRollup(prefix: string, w: PlanWindow, parent: FolderDecision): FolderDecision {
  const bound = folderBound(prefix);
  const depth = parent.stemDepth ?? 1;
  const out = (action: FolderAction, reason: string, run?: string): FolderDecision => {
    const d: FolderDecision = { action, reason, bound, plainDepth: parent.plainDepth };
    if (run) d.run = run;
    return d;
  };
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const ruled = w.scope ? scopeExcludes(folder, w.scope) : undefined;
  if (ruled) return out('skip', ruled.reason, ruled.run);
  if (bound === null) return out('skip', 'its time folders contradict each other');
  if (bound && !spanOverlaps(bound, w.since, w.until)) return out('skip', `time folder ${describeSpan(bound)} is outside the window`);
  if (parent.delimiter !== STAMP_DELIMITER) return decideSegment(prefix, w, parent, out);
  const s = stemAt(prefix);
  if (s) return decideStamp(s, w, out);
  // Not at a stem yet (a container name with a '2' in it): group the rest by the delimiter again.
  const v = vespaFolder(folder);
  if (v && !v.nested && depth < MAX_STEM_DEPTH)
    return { ...out('stems', 'not at a stem yet'), delimiter: STAMP_DELIMITER, stemDepth: depth + 1 };
  return out('flat', 'no Vespa stem');
}

/**
 * A prefix an Amplitude ('_') or Cloudflare ('T') listing returned. One that ends in a day's stamp
 * is bound by it (skip or read whole); a project's prefix is grouped again to find its days;
 * anything else is read by folder from here (its folders decided as any folder is).
 */
function decideSegment(
  prefix: string,
  w: PlanWindow,
  parent: FolderDecision,
  out: (action: FolderAction, reason: string, run?: string) => FolderDecision,
): FolderDecision {
  const depth = parent.stemDepth ?? 1;
  const sb = segmentBound(prefix);
  if (sb === null) return out('skip', 'its name stamps contradict each other');
  if (sb && !spanOverlaps(sb, w.since, w.until))
    return out('skip', `name stamp ${describeSpan(sb)} is outside the window`, 'their name stamps are outside the window');
  if (sb) return out('flat', `name stamp ${describeSpan(sb)} overlaps the window`);
  if (depth >= MAX_STEM_DEPTH) return out('flat', 'no name stamp');
  if (parent.delimiter === '_' && PROJECT_RE.test(prefix))
    return { ...out('stems', 'an Amplitude project: its days'), delimiter: '_', stemDepth: depth + 1 };
  return { ...out('walk', 'no name stamp: by folder from here'), stemDepth: depth + 1 };
}

/**
 * The days (epoch ms, ascending) whose name-rule bound [day, day + 1 d + slack) overlaps the window
 * and that can still be stamps (not beginning more than FUTURE_SLACK_MS after `now`); undefined
 * when that is more than MAX_ENUMERATED_DAYS (an open start, a long window).
 */
function windowDays(w: PlanWindow, slack: number): number[] | undefined {
  if (w.since === undefined) return undefined;
  const now = w.now ?? Date.now();
  const last = Math.min(w.until ?? Number.POSITIVE_INFINITY, now + FUTURE_SLACK_MS + 1);
  const first = Math.floor((w.since - DAY_MS - slack) / DAY_MS) * DAY_MS;
  if ((last - first) / DAY_MS > MAX_ENUMERATED_DAYS + 2) return undefined;
  const out: number[] = [];
  for (let d = first; d < last; d += DAY_MS) {
    if (d > now + FUTURE_SLACK_MS) break;
    if (spanOverlaps({ start: d, end: d + DAY_MS + slack }, w.since, w.until)) out.push(d);
  }
  return out;
}

/**
 * The name rule at a prefix that has reached a stem: `s.rest` is what follows the stem so far. A
 * whole day there decides the prefix (flat or skip); a part of one ('2', '2026', '202612')
 * is narrowed to the window's days that begin with it (or their months), which is exact because
 * everything else below the stem is bound to other days or to no window at all.
 */
function decideStamp(
  s: StemAt,
  w: PlanWindow,
  out: (action: FolderAction, reason: string, run?: string) => FolderDecision,
): FolderDecision {
  const now = w.now ?? Date.now();
  if (s.rest.length >= dayLength(s.dashed)) {
    const day = stampDay(s.rest, s.dashed, now);
    if (day === undefined) return out('skip', 'no plausible day follows the stem (the name rule)', 'no plausible day follows their stems');
    const span = { start: day, end: day + DAY_MS + s.slack };
    return spanOverlaps(span, w.since, w.until)
      ? out('flat', `name stamp ${describeSpan(span)} overlaps the window`)
      : out('skip', `name stamp ${describeSpan(span)} is outside the window`, 'their name stamps are outside the window');
  }
  const days = windowDays(w, s.slack);
  if (!days) return out('flat', 'the window has no start or spans too many days to list by day');
  const fit = days.filter((d) => formatDay(d, s.dashed).startsWith(s.rest));
  if (!fit.length) return out('skip', 'no day of the window follows the stem', 'no day of the window follows their stems');
  const firsts = fit.filter((d, i) => i === 0 || formatMonth(d, true) !== formatMonth(fit[i - 1], true));
  if (fit.length === 1 || (firsts.length > 1 && fit.length <= MAX_DAY_PREFIXES)) {
    const prefixes = fit.map((d) => s.stem + formatDay(d, s.dashed));
    return { ...out('days', `name stamps: ${fit.map((d) => formatDay(d, true)).join(', ')}`), prefixes };
  }
  if (s.rest.length >= (s.dashed ? 7 : 6)) return out('flat', 'the window holds several days of this month');
  if (firsts.length > MAX_MONTH_PREFIXES) return out('flat', `the window spans ${firsts.length} months`);
  const prefixes = firsts.map((d) => s.stem + formatMonth(d, s.dashed));
  return { ...out('days', `name stamps: ${firsts.map((d) => formatMonth(d, true)).join(', ')}`), prefixes };
}

/**
 * The decision for the location's own prefix. A prefix that does not end in '/' (`logs/http`) is
 * walked like a folder (a delimiter listing groups what follows it) with the bound of its folders.
 */
export function decideRoot(prefix: string, w: PlanWindow): FolderDecision {
  return decideFolder(prefix.slice(0, prefix.lastIndexOf('/') + 1), w, undefined, -1);
}
