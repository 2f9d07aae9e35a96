/**
 * The numbers `--follow` runs by, and how its durations are read. Pure.
 *
 * - Interval, 30 s by default: Cloudflare Logpush ships a batch every few minutes at most (often
 *   every 30 s), so a 30 s poll shows a batch at most half a minute after it lands; the hourly
 *   exports (Vespa access logs, Amplitude, Logz.io) gain nothing from polling faster. A poll is a
 *   few LIST requests of the window's newest folders (the pruned plan), so 30 s costs about 2,900
 *   polls a day. `--interval` takes `ms` too (down to MIN_INTERVAL_MS), so tests and impatient
 *   people need no hidden switch.
 * - Lateness, 2 h by default: how far behind the newest data an object may land and still be
 *   printed. Every poll lists the window [now − lateness, …): Cloudflare batches land minutes late,
 *   an hourly Vespa or Amplitude file lands after its hour closes, so two hours covers both with an
 *   hour to spare. An object whose time (the end of its span, when the key gives one) is older than
 *   that when it lands is not seen.
 * - Since, 10 min by default: what is printed before the first poll.
 */
import { UsageError } from '../errors.js';
import { parseDuration } from '../time.js';

export const DEFAULT_INTERVAL_MS = 30_000;
export const MIN_INTERVAL_MS = 100;
export const DEFAULT_LATENESS_MS = 2 * 3_600_000;
/** The documented floor: Cloudflare batches and hourly files land up to an hour late. */
export const MIN_LATENESS_MS = 3_600_000;
export const DEFAULT_SINCE = '10m';

/** `250ms`, `30s`, `5m`, `2h` → milliseconds, or undefined when the text is no duration. */
export function parseFollowDuration(text: string): number | undefined {
  const ms = /^\s*(\d+)ms\s*$/i.exec(text);
  if (ms) return Number(ms[1]);
  return parseDuration(text);
}

export function parseInterval(text: string | undefined): number {
  if (text === undefined) return DEFAULT_INTERVAL_MS;
  const ms = parseFollowDuration(text);
  if (ms === undefined || ms < MIN_INTERVAL_MS || ms > 24 * 3_600_000)
    throw new UsageError(`--interval: expected a duration from ${MIN_INTERVAL_MS}ms to 24h, got "${text}"`, {
      hint: 'e.g. --interval 30s (the default), 5m for hourly exports, 500ms to watch a test',
    });
  return ms;
}

export function parseLateness(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LATENESS_MS;
  const ms = parseFollowDuration(text);
  if (ms === undefined || ms < MIN_LATENESS_MS || ms > 30 * 86_400_000)
    throw new UsageError(`--lateness: expected a duration from 1h to 30d, got "${text}"`, {
      hint: 'how late an object may land and still be printed; the default is 2h',
    });
  return ms;
}
