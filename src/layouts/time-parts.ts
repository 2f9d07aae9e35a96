/**
 * Small helpers shared by the layout plug-ins. They run once per listed key (100k+ per listing),
 * so they avoid allocation beyond the Date they return.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// Digit runs in hashes and ids often look like dates; a narrow year window rejects most of them.
const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A UTC instant from calendar parts, or undefined when any part is impossible (month 13, 31 April,
 * hour 24, a year outside 1990–2100). Date.UTC alone would silently roll such values over.
 */
export function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date | undefined {
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) return undefined;
  if (!(month >= 1 && month <= 12)) return undefined;
  if (!(day >= 1 && day <= daysInMonth(year, month))) return undefined;
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Same as utcDate but from regex captures; an absent capture counts as 0. */
export function utcFromStrings(y: string, mo: string, d: string, h?: string, mi?: string, s?: string): Date | undefined {
  return utcDate(+y, +mo, +d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0);
}

/** Epoch milliseconds as a Date, held to the same plausible-year window as utcDate. */
export function fromEpochMillis(ms: number): Date | undefined {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return Number.isFinite(ms) && y >= MIN_YEAR && y <= MAX_YEAR ? d : undefined;
}

export function plus(d: Date, ms: number): Date {
  return new Date(d.getTime() + ms);
}

/** The last path segment of a key. */
export function baseName(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(i + 1);
}

// Compression suffixes are peeled off first so `x.hprof.zst` is still recognised as a heap dump.
const HEAPDUMP_RE = /\.hprof(?:\.(?:zst|gz|bz2|xz|lz4))?$/i;
const JFR_RE = /\.jfr(?:\.(?:zst|gz|bz2|xz|lz4))?$/i;

/**
 * The kind a file name implies on its own: heap dumps and JFR recordings are unmistakable by
 * extension; everything else in a log archive is treated as logs.
 */
export function kindFromName(name: string): string {
  if (HEAPDUMP_RE.test(name)) return 'heapdump';
  if (JFR_RE.test(name)) return 'jfr';
  return 'logs';
}

/** Two digits, zero-padded, for partition identities that must not depend on the vendor's padding. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
