/**
 * Time specs as users type them: relative (`90s`, `15m`, `2h`, `3d`, `1w`, `6mo`, `5y`) meaning
 * "that long ago" for --since/--until or "that long from now" for expiries; ISO dates/times; `now`.
 */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  mo: 30 * 86_400_000,
  y: 365 * 86_400_000,
};
const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|min|h|d|w|mo|y)$/i;

/** Milliseconds in a duration like `2h`, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = RELATIVE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
}

function parseAbsolute(text: string): Date | undefined {
  const t = text.trim();
  // A bare date or a date-time without zone is taken as UTC: archives are keyed in UTC.
  const plain = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.test(t);
  const d = new Date(plain ? `${t.replace(' ', 'T')}${t.length === 10 ? 'T00:00:00' : ''}Z` : t);
  if (!/^\d{4}-\d{2}/.test(t) || Number.isNaN(d.getTime())) return undefined;
  return d;
}

/** A point in time for --since/--until: relative specs count back from `now`. */
export function parseTimeSpec(text: string, flag: string, now: Date = new Date()): Date {
  if (text.trim().toLowerCase() === 'now') return now;
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() - ms);
  const abs = parseAbsolute(text);
  if (abs) return abs;
  throw new UsageError(`${flag}: cannot read "${text}" as a time`, {
    hint: `use a relative time like 30m, 2h, 3d, 1w or an ISO time like 2026-01-05 or 2026-01-05T17:00:00Z`,
  });
}

/** A point in the future for expiries: relative specs count forward from `now`. */
export function parseFutureSpec(text: string, flag: string, now: Date = new Date()): Date {
  const ms = parseDuration(text);
  if (ms !== undefined) {
    const m = RELATIVE.exec(text.trim())!;
    const unit = m[2].toLowerCase();
    const n = Number(m[1]);
    // Calendar arithmetic for months/years so "5y" is five calendar years, as vendors count them.
    if ((unit === 'y' || unit === 'mo') && Number.isInteger(n)) {
      const d = new Date(now.getTime());
      if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
      else d.setUTCMonth(d.getUTCMonth() + n);
      return d;
    }
    return new Date(now.getTime() + ms);
  }
  const abs = parseAbsolute(text);
  if (abs) return abs;
  throw new UsageError(`${flag}: cannot read "${text}" as a time`, {
    hint: 'use a duration like 30d, 1y, 5y or an ISO date like 2031-01-01',
  });
}

/**
 * A span for a person, in its two largest units, rounded to the smaller one: `2d 0h` for a
 * token signed for two days and read a second later (truncating said `1d 23h`), `3h 5m`,
 * `4m 10s`, `7s`.
 */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  const s = Math.abs(Math.round(ms / 1000));
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m ${s % 60}s`;
  else {
    const minutes = Math.round(s / 60);
    if (minutes < 24 * 60) text = `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
    else {
      const hours = Math.round(s / 3600);
      text = `${Math.floor(hours / 24)}d ${hours % 24}h`;
    }
  }
  return (neg ? '-' : '') + text;
}

/** How long a run took: tenths of a second below 10 s (`0.4s`, not `0s`), else as formatDuration. */
export function formatElapsed(ms: number): string {
  return ms < 9950 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatDuration(ms);
}

/** ISO 8601 UTC without zero milliseconds: 2026-01-05T17:00:00Z. */
export function isoUtc(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.000Z$/, 'Z') : '';
}
