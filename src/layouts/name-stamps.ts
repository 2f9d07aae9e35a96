/**
 * Name stamps: file names whose first characters after a vendor's stem are the day the file
 * belongs to, so a listing of `STEM + DAY` reads one day of a folder instead of all of it.
 *
 * THE NAME RULE (the file-name twin of the time-folder rule, time-folders.ts): in a Vespa log
 * folder `HOST/logs/TYPE/` (the first such folder in the key), a key whose path below it reaches
 * one of TYPE's stems (STEMS: the head, e.g. `JsonAccessLog.`, then for access and connection logs
 * any cluster segments, e.g. `default.`) with a digit after it has its stamp there:
 *   - a plausible day (YYYYMMDD for access and connection logs, YYYY-MM-DD for vespa.log and
 *     zookeeper.log; years 2000–2100) BINDS the key: it matches a window only if
 *     [day, day + 1 d + slack) overlaps it. vespa.ts dates the key by that same stamp, so for a
 *     Vespa key this is no extra condition: the slack is how far a file of that type can run past
 *     its day (an hourly access log opened at 23:00 holds records until midnight + 1 h);
 *   - a '2' there that begins no plausible day (`JsonAccessLog.default.2026-notes.txt`, 31 February;
 *     and, in a window with no end, a day that begins more than an hour after the command started)
 *     keeps the key out of EVERY time window. Listings without a window still show it.
 * Everything else is not affected at all: keys outside Vespa log folders, names with no stem
 * (`README`), and names whose stem is followed by no stamp (`JsonAccessLog.default.zst`, the live
 * file a final sync uploads; `vespa.log.zst`; `vespa.log-old.zst`; `access.log.1`): those are dated
 * by last-modified, and the planner reads them wherever they are.
 *
 * Why a rule is needed: without one, a folder could only be read whole. The planner finds each
 * stem's files with one listing by the delimiter '2' (plan-names.ts): every prefix it returns at a
 * stem is `STEM2`, and below `STEM2` anything may follow. With the rule, everything below
 * `STEM + D` is bound by day D, and everything else below `STEM2` matches no window, so the
 * prefixes of the window's days hold every key a full scan would keep. What follows a stem with
 * anything but a '2' is returned by that listing as objects or as its own prefix, read whole. The
 * "more than an hour ahead" clause is what makes the set of days finite for a window with no end
 * (`--since 2h`): without it every future day would have to be listed too. A window with an end
 * needs no such clause, so it has none: workers given the same --since/--until (pull --shard) agree
 * whatever their clocks say.
 *
 * What the rule keeps out of windows, no Vespa component writes: Vespa's uploader (node-admin
 * SyncFileInfo.forLogFile) sends every file whose name starts with `JsonAccessLog.` or `access` to
 * logs/access/, `ConnectionLog.` to logs/connection/, `vespa.log` to logs/vespa/ (the live file
 * renamed `vespa.log-yyyy-MM-dd.HH-mm-ss`), zookeeper.*.log as `zookeeper.log[-yyyy-MM-dd.HH-mm-ss]`
 * to logs/zookeeper/, adding `.zst` unless the name ends so; the files it finds are named by
 * strftime patterns (`%Y%m%d%H%M%S`) or that formatter, so a digit after a stem is always a date.
 * test/vespa-shapes.test.ts draws keys from every one of those shapes.
 *
 * SEGMENT STAMPS (Amplitude, Cloudflare without daily folders): a path segment that BEGINS with
 *   -?DIGITS_YYYY-MM-DD_      (Amplitude `PROJECT_2026-12-01_13#0.json.gz`)   binds to that day;
 *   YYYYMMDDT                 (Cloudflare `20261201T235500Z_…`, the batch's start) binds to that
 *                             day and the next (a Logpush batch spans minutes; two days is slack)
 * everything at and below it, like a time folder (intersected with any other reading). Nothing is
 * kept out of windows by these: the planner finds their days with delimiter listings ('_', 'T')
 * that return one prefix per existing day, so it never has to guess what else a folder holds.
 */
import type { Span } from './time-folders.js';
import { DAY_MS, HOUR_MS, utcDate } from './time-parts.js';

interface Stem {
  /** The stem at the start of the path below the log folder. */
  re: RegExp;
  /** YYYY-MM-DD (vespa.log, zookeeper.log) rather than YYYYMMDD. */
  dashed: boolean;
  /** How far past its day a file's records may run. */
  slack: number;
}

/** A segment's beginning, and how long from its day the records of such a file can run. */
const SEGMENT_STAMPS: ReadonlyArray<{ re: RegExp; days: number; layout: 'amplitude' | 'cloudflare' }> = [
  { re: /^-?\d+_(\d{4})-(\d{2})-(\d{2})_/, days: 1, layout: 'amplitude' },
  { re: /^(\d{4})(\d{2})(\d{2})T/, days: 2, layout: 'cloudflare' },
];

/** Which vendor's segment stamp a file name begins with, if any. */
export function segmentStampOf(name: string): 'amplitude' | 'cloudflare' | undefined {
  for (const s of SEGMENT_STAMPS) if (s.re.test(name)) return s.layout;
  return undefined;
}

// A segment can only begin with one if it starts with a digit or '-'.
const MAYBE_SEGMENT_STAMP = /(?:^|\/)[-\d]/;

/**
 * The bound the segment stamps of a path put on it (every segment, the last one too, as far as it
 * goes): the intersection of their days, `null` when they contradict, undefined when there is none.
 */
export function segmentBound(path: string): Span | null | undefined {
  if (!MAYBE_SEGMENT_STAMP.test(path)) return undefined;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  let found = false;
  for (const seg of path.split('/')) {
    for (const s of SEGMENT_STAMPS) {
      const m = s.re.exec(seg);
      const d = m ? utcDate(+m[1], +m[2], +m[3])?.getTime() : undefined;
      if (d === undefined) continue;
      found = true;
      start = Math.max(start, d);
      end = Math.min(end, d + s.days * DAY_MS);
    }
  }
  if (!found) return undefined;
  return start < end ? { start, end } : null;
}

/**
 * The stems of each Vespa log type; the same names vespa.ts reads the time of. Access and
 * connection logs are named by Vespa's AccessLogComponent `TYPE.CLUSTER.%Y%m%d%H%M%S` (older
 * releases `TYPE.%Y%m%d%H%M%S`, with no cluster), so after the head come any number of dot-ended
 * segments that do not begin with a digit (the cluster: an XML NCName, which never does) and then
 * the stamp. vespa.log and zookeeper.log stamps follow the head directly (SyncFileInfo's
 * `yyyy-MM-dd.HH-mm-ss`).
 */
const STEMS: Record<string, Stem> = {
  access: {
    re: /^(?:(?:JsonAccessLog|QueryAccessLog|AccessLog)\.|access(?:-json)?\.log\.)((?:[^0-9./][^./]*\.)*)/,
    dashed: false,
    slack: HOUR_MS,
  },
  connection: { re: /^ConnectionLog\.((?:[^0-9./][^./]*\.)*)/, dashed: false, slack: HOUR_MS },
  vespa: { re: /^vespa\.log-()/, dashed: true, slack: 0 },
  zookeeper: { re: /^zookeeper\.log-()/, dashed: true, slack: 0 },
};

/** The first Vespa log folder in a path (the one THE RULE in vespa.ts reads the key from). */
const LOG_DIR_RE = new RegExp(`(?:^|/)[^/]+/logs/(${Object.keys(STEMS).join('|')})/`);

/** In a window with no end: how far ahead of the command's start a day may begin and still be a stamp (clock skew). */
export const FUTURE_SLACK_MS = HOUR_MS;

/** The latest day (start, epoch ms) a stamp may begin on: bounded only when the window has no end. */
export function latestStampDay(until: number | undefined, nowMs: number): number {
  return until === undefined ? nowMs + FUTURE_SLACK_MS : Number.POSITIVE_INFINITY;
}

/** Where a path reaches a stem: the path up to and including it, and what follows. */
export interface StemAt {
  /** The path up to and including the stem (`…/logs/access/JsonAccessLog.default.`). */
  stem: string;
  /** What follows the stem in the path (the stamp, or part of it): always begins with a digit. */
  rest: string;
  dashed: boolean;
  slack: number;
  /** The container cluster between head and stamp (`default`), when the name has one. */
  container?: string;
}

const DIGIT = /^\d/;

/**
 * The stem a path (a key, or a listing prefix) reaches, if any: only where a digit follows it (the
 * stamp's place). A path that stops short of that (`JsonAccessLog.c2`: a cluster still being
 * spelled out, or no stamp at all: `JsonAccessLog.default.zst`) reaches none.
 */
export function stemAt(path: string): StemAt | undefined {
  if (!path.includes('/logs/')) return undefined;
  const m = LOG_DIR_RE.exec(path);
  if (!m) return undefined;
  const below = m.index + m[0].length;
  const stem = STEMS[m[1]];
  const s = stem.re.exec(path.slice(below));
  if (!s) return undefined;
  const end = below + s[0].length;
  const rest = path.slice(end);
  if (!DIGIT.test(rest)) return undefined;
  const at: StemAt = { stem: path.slice(0, end), rest, dashed: stem.dashed, slack: stem.slack };
  if (s[1]) at.container = s[1].slice(0, -1);
  return at;
}

/**
 * Whether what follows a stem is read as a stamp: it begins with '2', as every day from 2000 on
 * does (and so every prefix the planner's '2' listing returns at a stem). Anything else after a
 * stem (`JsonAccessLog.default.zst`, `vespa.log-old.zst`, `access.log.1`) is no stamp: such a
 * key is dated by last-modified and read wherever it is.
 */
export function isStampPlace(rest: string): boolean {
  return rest.charCodeAt(0) === 50; // '2'
}

const COMPACT = /^(2\d{3})(\d{2})(\d{2})/;
const DASHED = /^(2\d{3})-(\d{2})-(\d{2})/;
// The time of day after a day, when the name carries one: `HHMMSS` (then no more digits) or `.HH-mm-ss`.
const COMPACT_TIME = /^(\d{2})(\d{2})(\d{2})(?!\d)/;
const DASHED_TIME = /^\.(\d{2})-(\d{2})-(\d{2})/;

/**
 * The instant a stamp names, for the layout: the day and, when the name gives one, the time of day;
 * `full` says which. Undefined when no plausible day begins `rest` (the same test stampDay makes).
 */
export function stampTime(rest: string, dashed: boolean): { time: Date; full: boolean } | undefined {
  const m = (dashed ? DASHED : COMPACT).exec(rest);
  if (!m) return undefined;
  const day = utcDate(+m[1], +m[2], +m[3]);
  if (!day) return undefined;
  const t = (dashed ? DASHED_TIME : COMPACT_TIME).exec(rest.slice(m[0].length));
  const full = t ? utcDate(+m[1], +m[2], +m[3], +t[1], +t[2], +t[3]) : undefined;
  return full ? { time: full, full: true } : { time: day, full: false };
}

/** The day (start, epoch ms) a stamp begins with, when it is a plausible one. */
export function stampDay(rest: string, dashed: boolean, latestDay: number): number | undefined {
  const m = (dashed ? DASHED : COMPACT).exec(rest);
  if (!m) return undefined;
  const d = utcDate(+m[1], +m[2], +m[3])?.getTime();
  return d !== undefined && d <= latestDay ? d : undefined;
}

/** What THE NAME RULE binds a key stamped with `dayMs` to: that day, plus the type's slack. */
export function stampSpan(dayMs: number, slack: number): Span {
  return { start: dayMs, end: dayMs + DAY_MS + slack };
}

/** The day as it is written after the stem. */
export function formatDay(dayMs: number, dashed: boolean): string {
  const iso = new Date(dayMs).toISOString().slice(0, 10);
  return dashed ? iso : iso.replace(/-/g, '');
}

/** The month (YYYYMM or YYYY-MM) as it is written after the stem. */
export function formatMonth(dayMs: number, dashed: boolean): string {
  const iso = new Date(dayMs).toISOString().slice(0, 7);
  return dashed ? iso : iso.replace('-', '');
}

/** Characters in a written day. */
export function dayLength(dashed: boolean): number {
  return dashed ? 10 : 8;
}

/**
 * The bound the name rules put on a key: its Vespa stamp's day plus slack, intersected with its
 * segment stamps; `null` when a '2' after a Vespa stem begins no plausible day, or the readings
 * contradict (no window matches); undefined when there is no reading.
 */
export function nameBound(key: string, latestDay: number): Span | null | undefined {
  const seg = segmentBound(key);
  const s = stemAt(key);
  if (!s || !isStampPlace(s.rest)) return seg;
  const day = stampDay(s.rest, s.dashed, latestDay);
  if (day === undefined || seg === null) return null;
  const v = stampSpan(day, s.slack);
  if (!seg) return v;
  const start = Math.max(v.start, seg.start);
  const end = Math.min(v.end, seg.end);
  return start < end ? { start, end } : null;
}
