/**
 * The pruning planner's decisions, pure: given a folder (a prefix ending in '/') and the window,
 * list it flat, walk it one level at a time (delimiter listing), or skip it.
 *
 * Only `skip` affects the answer, and it is taken only when the folder's time-folder bound (see
 * layouts/time-folders.ts) misses the window: then every key below is rejected by the same rule
 * the full scan's filter applies, whatever the key. `flat` and `walk` both read every key below;
 * choosing between them is a cost guess that can never change the result:
 *   - a folder whose bound lies inside the window can hold nothing prunable: flat (fewest requests);
 *   - a bound that straddles an edge of the window may hide finer time folders: walk;
 *   - a folder with no time in its name is walked while few such levels have been walked (time
 *     folders usually sit 0–2 levels below the location: `SUBPATH/`, `ACCOUNT/`, `table/`), then
 *     read flat, so a deep tree without time folders (Vespa's TENANT/APP/INSTANCE/HOST/…) costs
 *     about what a full scan costs instead of one request per folder.
 */
import { folderBound, partialTimeFolder, spanInside, spanOverlaps, type Span } from '../layouts/time-folders.js';

export interface PlanWindow {
  /** Epoch ms, inclusive; undefined = open. */
  since?: number;
  /** Epoch ms, exclusive; undefined = open. */
  until?: number;
}

/**
 * Plain (timeless) folder levels walked before reading flat. Measured on Azurite (Vespa, 20 hosts
 * × 3 types, 130k keys): with 3, `--since 2h` walked down to the 20 host folders and listed each
 * (44 requests, slower than the 26-page full scan); with 2 the instance folder is read in one flat
 * listing (29 requests). Cloudflare SUBPATH/DATASET/, Logz.io PATH/ACCOUNT/ and Hive TABLE/ sit
 * within 2 levels of a location given at the container root.
 */
export const MAX_PLAIN_DEPTH = 2;

export type FolderAction = 'skip' | 'flat' | 'walk';

export interface FolderDecision {
  action: FolderAction;
  /** Why, in words for --explain. */
  reason: string;
  /** The folder's time bound (undefined: no time folder in the path; null: contradictory). */
  bound: Span | null | undefined;
  /** Plain levels walked including this one (passed to its children). */
  plainDepth: number;
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

/**
 * Decide for `folder` (ends in '/'), whose parent had bound `parentBound` and `parentPlainDepth`
 * plain levels walked. A window with neither bound means nothing can be pruned: always flat.
 */
export function decideFolder(
  folder: string,
  w: PlanWindow,
  parentBound: Span | null | undefined,
  parentPlainDepth: number,
): FolderDecision {
  const bound = folderBound(folder);
  if (w.since === undefined && w.until === undefined)
    return { action: 'flat', reason: 'no time window', bound, plainDepth: parentPlainDepth };
  if (bound === null) return { action: 'skip', reason: 'its time folders contradict each other', bound, plainDepth: parentPlainDepth };
  if (bound && !spanOverlaps(bound, w.since, w.until))
    return { action: 'skip', reason: `time folder ${describeSpan(bound)} is outside the window`, bound, plainDepth: parentPlainDepth };
  if (bound && spanInside(bound, w.since, w.until))
    return { action: 'flat', reason: `time folder ${describeSpan(bound)} is inside the window`, bound, plainDepth: parentPlainDepth };
  const newReading = bound !== undefined && !sameSpan(bound, parentBound);
  if (newReading)
    return { action: 'walk', reason: `time folder ${describeSpan(bound!)} straddles the window`, bound, plainDepth: parentPlainDepth };
  if (partialTimeFolder(folder))
    return { action: 'walk', reason: 'a year folder (months may follow)', bound, plainDepth: parentPlainDepth };
  const depth = parentPlainDepth + 1;
  if (depth > MAX_PLAIN_DEPTH)
    return { action: 'flat', reason: `no time folder within ${MAX_PLAIN_DEPTH} levels`, bound, plainDepth: depth };
  return { action: 'walk', reason: 'looking for time folders', bound, plainDepth: depth };
}

/**
 * The decision for the location's own prefix. A prefix that does not end in '/' (`logs/http`) is
 * walked like a folder (a delimiter listing groups what follows it) with the bound of its folders.
 */
export function decideRoot(prefix: string, w: PlanWindow): FolderDecision {
  return decideFolder(prefix.slice(0, prefix.lastIndexOf('/') + 1), w, undefined, -1);
}
