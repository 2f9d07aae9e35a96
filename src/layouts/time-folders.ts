/**
 * Time folders: folder names that say which hour, day, month or year their contents belong to.
 *
 * THE RULE (what makes pruned listings exact): a time folder BINDS everything below it. An object
 * under one matches a --since/--until window only if the folder's span overlaps the window, on top
 * of its own time (the layout's key time, else last-modified) matching as before. Nested time
 * folders intersect. Keys under no time folder are not affected at all.
 *
 * Why a rule is needed: without one no folder could ever be skipped. Any folder may hold a key no
 * layout recognises (filtered by last-modified, which can be anything), or a key whose file name
 * carries a different time (`20260101/20260601T…Z_…log.gz`). With the rule, a folder whose span
 * misses the window provably holds nothing that matches, whatever lies beneath it, because every
 * key below carries the folder in its path, so its bound is contained in the folder's.
 *
 * Folder forms (each a reading of whole path segments, never part of a file name):
 *   YYYYMMDD/   YYYY-MM-DD/                      one day (Cloudflare daily folders, many exporters)
 *   YYYY/MM/    YYYY/MM/DD/    YYYY/MM/DD/HH/    month, day, hour (Logz.io, dated archives); a lone
 *                                                YYYY/ is not a reading (too common a folder name)
 *   year=YYYY/[month=MM/[day=DD/[hour=HH/]]]     Hive (also yyyy=, mm=, dd=, hh=, … spellings)
 *   dt=|date=|ds=YYYY-MM-DD or YYYYMMDD/[hour=HH/]
 * Every reading starting at every segment is taken (not a greedy parse), so the readings of a
 * folder path are always a subset of the readings of any longer path below it: the bound can only
 * shrink as one descends. That property is what the pruning planner relies on.
 */
import { DAY_MS, HOUR_MS, utcDate } from './time-parts.js';

export interface Span {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YMD_DASHED = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR = /^\d{4}$/;
const TWO = /^\d{2}$/;
const ONE_OR_TWO = /^\d{1,2}$/;
const HIVE_YEAR = /^(?:year|yyyy|yr|y)=(\d{4})$/i;
const HIVE_MONTH = /^(?:month|mm|mon|m)=(\d{1,2})$/i;
const HIVE_DAY = /^(?:day|dd|d)=(\d{1,2})$/i;
const HIVE_HOUR = /^(?:hour|hh|hr|h)=(\d{1,2})$/i;
const HIVE_DT = /^(?:dt|date|ds|day)=(\d{4})-?(\d{2})-?(\d{2})$/i;

function dayStart(y: number, m: number, d: number): number | undefined {
  return utcDate(y, m, d)?.getTime();
}

function monthSpan(y: number, m: number): Span | undefined {
  const s = utcDate(y, m, 1);
  if (!s) return undefined;
  return { start: s.getTime(), end: Date.UTC(y, m, 1) };
}

function hourOf(day: number, h: string): Span | undefined {
  const n = +h;
  if (!(n >= 0 && n <= 23)) return undefined;
  const start = day + n * HOUR_MS;
  return { start, end: start + HOUR_MS };
}

/** Every reading that starts at segment i (segments are folder names only). */
function readingsAt(seg: readonly string[], i: number, out: Span[]): void {
  const s = seg[i];
  let m = YMD_COMPACT.exec(s) ?? YMD_DASHED.exec(s);
  if (m) {
    const d = dayStart(+m[1], +m[2], +m[3]);
    if (d !== undefined) out.push({ start: d, end: d + DAY_MS });
    return;
  }
  if (YEAR.test(s) && i + 1 < seg.length && TWO.test(seg[i + 1])) {
    const y = +s;
    const mo = +seg[i + 1];
    const month = monthSpan(y, mo);
    if (!month) return;
    out.push(month);
    if (i + 2 < seg.length && ONE_OR_TWO.test(seg[i + 2])) {
      const d = dayStart(y, mo, +seg[i + 2]);
      if (d === undefined) return;
      out.push({ start: d, end: d + DAY_MS });
      if (i + 3 < seg.length && ONE_OR_TWO.test(seg[i + 3])) {
        const h = hourOf(d, seg[i + 3]);
        if (h) out.push(h);
      }
    }
    return;
  }
  if ((m = HIVE_YEAR.exec(s))) {
    const y = +m[1];
    const ys = utcDate(y, 1, 1);
    if (!ys) return;
    out.push({ start: ys.getTime(), end: Date.UTC(y + 1, 0, 1) });
    const mm = i + 1 < seg.length ? HIVE_MONTH.exec(seg[i + 1]) : null;
    if (!mm) return;
    const month = monthSpan(y, +mm[1]);
    if (!month) return;
    out.push(month);
    const dm = i + 2 < seg.length ? HIVE_DAY.exec(seg[i + 2]) : null;
    if (!dm) return;
    const d = dayStart(y, +mm[1], +dm[1]);
    if (d === undefined) return;
    out.push({ start: d, end: d + DAY_MS });
    const hm = i + 3 < seg.length ? HIVE_HOUR.exec(seg[i + 3]) : null;
    const h = hm ? hourOf(d, hm[1]) : undefined;
    if (h) out.push(h);
    return;
  }
  if ((m = HIVE_DT.exec(s))) {
    const d = dayStart(+m[1], +m[2], +m[3]);
    if (d === undefined) return;
    out.push({ start: d, end: d + DAY_MS });
    const hm = i + 1 < seg.length ? HIVE_HOUR.exec(seg[i + 1]) : null;
    const h = hm ? hourOf(d, hm[1]) : undefined;
    if (h) out.push(h);
  }
}

// A key can only hold a reading if some folder segment starts with a digit or has a '='.
const MAYBE_TIME = /(?:^|\/)(?:\d|[A-Za-z]{1,5}=\d)/;

/**
 * The bound the time folders of `path` put on everything below them: the intersection of every
 * reading among its folder segments (all segments before the last '/'), `null` when the readings
 * contradict each other (nothing can match a window), undefined when the path has no time folder.
 */
export function folderBound(path: string): Span | null | undefined {
  const cut = path.lastIndexOf('/');
  if (cut <= 0 || !MAYBE_TIME.test(path)) return undefined;
  const seg = path.slice(0, cut).split('/');
  const spans: Span[] = [];
  for (let i = 0; i < seg.length; i++) readingsAt(seg, i, spans);
  if (spans.length === 0) return undefined;
  let start = -Infinity;
  let end = Infinity;
  for (const s of spans) {
    if (s.start > start) start = s.start;
    if (s.end < end) end = s.end;
  }
  return start < end ? { start, end } : null;
}

/** Whether a span overlaps [since, until) (either bound may be open). */
export function spanOverlaps(s: Span, since: number | undefined, until: number | undefined): boolean {
  return (since === undefined || s.end > since) && (until === undefined || s.start < until);
}

/** Whether a span lies entirely inside [since, until). */
export function spanInside(s: Span, since: number | undefined, until: number | undefined): boolean {
  return (since === undefined || s.start >= since) && (until === undefined || s.end <= until);
}

/**
 * True when the last folder of a folder path (ending in '/') could be the start of a longer
 * reading that is not yet one: a 4-digit year (`2026/`, months may follow).
 */
export function partialTimeFolder(folderPath: string): boolean {
  const p = folderPath.endsWith('/') ? folderPath.slice(0, -1) : folderPath;
  const last = p.slice(p.lastIndexOf('/') + 1);
  if (!YEAR.test(last)) return false;
  const y = +last;
  return y >= 1990 && y <= 2100;
}
