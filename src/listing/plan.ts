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
import { folderBound, partialTimeFolder, spanInside, type Span } from '../layouts/time-folders.js';
import { DAY_MS } from '../layouts/time-parts.js';
import { vespaFolder } from '../layouts/vespa.js';
import { describeSpan, timeFolderSkip, type FolderAction, type FolderDecision, type PlanWindow } from './decision.js';
import { SEGMENT_DELIMITERS, STAMP_DELIMITER } from './plan-names.js';
import { scopeExcludes, scopeWalksDeep, vespaPossible } from './scope.js';

export { describeSpan, type FolderAction, type FolderDecision, type PlanWindow } from './decision.js';

export const MAX_PLAIN_DEPTH = 2;

/**
 * The same limit when --host or --kind can skip Vespa log folders: deep enough to reach
 * TENANT/APP/INSTANCE/HOST/logs/ from the container root, where the log-type folders are decided.
 */
export const MAX_SCOPE_DEPTH = 5;

function sameSpan(a: Span | null | undefined, b: Span | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.start === b.start && a.end === b.end;
}

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
  const outside = timed ? timeFolderSkip(bound, w) : undefined;
  if (outside) return out('skip', outside);
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

/** HOST/logs/ (the folder Vespa's log-type folders sit in). */
const LOGS_DIR_RE = /(?:^|\/)[^/]+\/logs\/$/;

/**
 * The decision for the location's own prefix. A prefix that does not end in '/' (`logs/http`) is
 * walked like a folder (a delimiter listing groups what follows it) with the bound of its folders.
 */
export function decideRoot(prefix: string, w: PlanWindow): FolderDecision {
  return decideFolder(prefix.slice(0, prefix.lastIndexOf('/') + 1), w, undefined, -1);
}
