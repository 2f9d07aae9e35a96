/**
 * The fallback for archivers without a plug-in of their own (Mezmo/LogDNA, Edge Delta, Wazuh,
 * LogScale, Fastly, CloudFront, AWS exports, …): any key whose folders or name carry a time.
 *
 *   Hive partitions   year=2026/month=01/day=05[/hour=17[/minute=30]]/   dt=2026-01-05[/hr=17]/
 *                     date=2026-01-05/  dt=20260105/
 *   Date folders      2026/01/05/  2026/01/05/17/
 *   Separated         2026-01-05  2026-01-05_17  2026-01-05-17  2026-01-05.1700
 *                     2026-01-05T17:00:00Z  2026-01-05T17-00-00  2026-01-05.10-00-01
 *   Compact           20260105  20260105T1700Z  20260105T170000Z  202601051700  20260105170000
 *
 * Granularity decides the span: a date alone covers the day, a date and hour (minutes absent or
 * :00, no seconds) covers that hour, anything finer is a point in time with no known end.
 * Two stamps with a time of day in the file name are a start and an end (e.g.
 * `20260105T170000Z_20260105T171500Z.log.gz`, `mlog-20210901100858-20210901100905-….zip`).
 * Otherwise the finest stamp wins, and among equals the one nearest the file name.
 *
 * Impossible calendar values and years outside 1990–2100 are rejected, and compact digit runs must
 * stand alone (not inside a longer run of letters or digits), so hashes and ids are not read as
 * times.
 */
import type { KeyFacts, Layout } from './types.js';
import { DAY_MS, HOUR_MS, kindFromName, plus, utcFromStrings } from './time-parts.js';

const DAY = 0;
const HOUR = 1;
const FINE = 2;

interface Stamp {
  start: number;
  end: number;
  time: Date;
  gran: number;
}

// Order matters: earlier patterns claim their span of the key before later, looser ones look.
// Each regex has the capture layout (Y, M, D, h?, m?, s?).
const HIVE_YMD_RE =
  /(?:^|\/)(?:year|yyyy|yr|y)=(\d{4})\/(?:month|mm|mon|m)=(\d{1,2})\/(?:day|dd|d)=(\d{1,2})(?:\/(?:hour|hh|hr|h)=(\d{1,2})(?:\/(?:minute|min|mi)=(\d{1,2}))?)?()(?=\/|$)/gi;
const HIVE_DT_RE = /(?:^|\/)(?:dt|date|ds|day)=(\d{4})-?(\d{2})-?(\d{2})(?:\/(?:hour|hh|hr|h)=(\d{1,2}))?()()(?=\/|$)/gi;
const FOLDERS_RE = /(?:^|\/)(\d{4})\/(\d{1,2})\/(\d{1,2})\/(?:(\d{1,2})\/)?()()/g;
const SEPARATED_RE = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T_. -](\d{2})(?:[:-]?(\d{2})(?:[:-]?(\d{2})(?:[.,]\d+)?)?)?)?(?!\d)/g;
const COMPACT_RE = /(?<![0-9A-Za-z])(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?Z?(?![0-9A-Za-z])/g;
const PATTERNS = [HIVE_YMD_RE, HIVE_DT_RE, FOLDERS_RE, SEPARATED_RE, COMPACT_RE];

const HAS_YEAR_RE = /(?:19|20|21)\d\d/;

function granularity(h: string | undefined, mi: string | undefined, s: string | undefined): number {
  if (s || (mi && +mi !== 0)) return FINE;
  return h ? HOUR : DAY;
}

function collect(key: string): Stamp[] {
  const out: Stamp[] = [];
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(key)) !== null) {
      const start = m.index;
      const end = start + m[0].length;
      if (m[0].length === 0) re.lastIndex++;
      if (out.some((o) => start < o.end && end > o.start)) continue;
      const time = utcFromStrings(m[1], m[2], m[3], m[4], m[5], m[6]);
      if (time) out.push({ start, end, time, gran: granularity(m[4], m[5], m[6]) });
    }
  }
  return out;
}

/** The time span a key names, or undefined when it names none. */
export function timeFromKey(key: string): Pick<KeyFacts, 'time' | 'timeEnd'> | undefined {
  if (!HAS_YEAR_RE.test(key)) return undefined;
  const stamps = collect(key);
  if (stamps.length === 0) return undefined;

  const nameStart = key.lastIndexOf('/') + 1;
  let first: Stamp | undefined;
  let last: Stamp | undefined;
  for (const s of stamps) {
    if (s.start < nameStart || s.gran === DAY) continue;
    if (!first || s.start < first.start) first = s;
    if (!last || s.start > last.start) last = s;
  }
  if (first && last && first !== last && last.time > first.time) return { time: first.time, timeEnd: last.time };

  let best = stamps[0];
  for (const s of stamps) {
    if (s.gran > best.gran || (s.gran === best.gran && s.start > best.start)) best = s;
  }
  if (best.gran === DAY) return { time: best.time, timeEnd: plus(best.time, DAY_MS) };
  if (best.gran === HOUR) return { time: best.time, timeEnd: plus(best.time, HOUR_MS) };
  return { time: best.time };
}

export const dated: Layout = {
  name: 'dated',
  description: 'Any key with a time in its folders or name (Hive partitions, YYYY/MM/DD/HH, compact or ISO stamps)',
  kinds: ['logs', 'heapdump', 'jfr'],
  parse(key) {
    const t = timeFromKey(key);
    if (!t) return undefined;
    const i = key.lastIndexOf('/');
    return { layout: 'dated', kind: kindFromName(i < 0 ? key : key.slice(i + 1)), ...t };
  },
};
