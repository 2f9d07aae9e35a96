/**
 * The planner's decisions below file names that carry their day (layouts/name-stamps.ts), pure:
 * for each prefix a stamp-delimiter listing returns, skip it, read it whole, group it again, or
 * list just the window's days below it; and, in auto mode, when to switch a folder of Amplitude
 * or Cloudflare files to their delimiter. Every choice but a skip (and the days 'days' leaves out)
 * reads all of what it covers; the skips are the name rules' own (see name-stamps.ts), so the
 * answer is the full scan's.
 */
import {
  dayLength,
  latestStampDay,
  formatDay,
  formatMonth,
  isStampPlace,
  segmentBound,
  segmentStampOf,
  stampDay,
  stampSpan,
  stemAt,
  type StemAt,
} from '../layouts/name-stamps.js';
import { folderBound, spanOverlaps } from '../layouts/time-folders.js';
import { DAY_MS } from '../layouts/time-parts.js';
import { vespaFolder } from '../layouts/vespa.js';
import { describeSpan, timeFolderSkip, type FolderAction, type FolderDecision, type PlanWindow } from './decision.js';
import { scopeExcludes } from './scope.js';

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

/** The delimiter that ends the day in each layout's file names (layouts/name-stamps.ts, segment stamps). */
export const SEGMENT_DELIMITERS: Readonly<Record<string, string>> = { amplitude: '_', cloudflare: 'T' };

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
  const outside = timeFolderSkip(bound, w);
  if (outside) return out('skip', outside);
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
 * and that can still be stamps (latestStampDay); undefined when that is more than
 * MAX_ENUMERATED_DAYS (an open start, a long window).
 */
function windowDays(w: PlanWindow, slack: number): number[] | undefined {
  if (w.since === undefined) return undefined;
  const latest = latestStampDay(w.until, w.now ?? Date.now());
  const last = Math.min(w.until ?? Number.POSITIVE_INFINITY, latest + 1);
  const first = Math.floor((w.since - DAY_MS - slack) / DAY_MS) * DAY_MS;
  if ((last - first) / DAY_MS > MAX_ENUMERATED_DAYS + 2) return undefined;
  const out: number[] = [];
  for (let d = first; d < last; d += DAY_MS) {
    if (d > latest) break;
    if (spanOverlaps(stampSpan(d, slack), w.since, w.until)) out.push(d);
  }
  return out;
}

/**
 * The name rule at a prefix that has reached a stem: `s.rest` is what follows the stem so far. A
 * whole day there decides the prefix (flat or skip); a part of one ('2', '2026', '202612')
 * is narrowed to the window's days that begin with it (or their months), which is exact because
 * everything else below it is bound to other days or to no window at all. Any other digit there
 * begins no stamp: read whole.
 */
function decideStamp(
  s: StemAt,
  w: PlanWindow,
  out: (action: FolderAction, reason: string, run?: string) => FolderDecision,
): FolderDecision {
  // A digit other than '2' after the stem begins no stamp: what lies below is dated by last-modified.
  if (!isStampPlace(s.rest)) return out('flat', 'no stamp follows the stem: read whole');
  if (s.rest.length >= dayLength(s.dashed)) {
    const day = stampDay(s.rest, s.dashed, latestStampDay(w.until, w.now ?? Date.now()));
    if (day === undefined) return out('skip', 'its stamp is no plausible day (the name rule)', 'their stamps are no plausible days');
    const span = stampSpan(day, s.slack);
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
