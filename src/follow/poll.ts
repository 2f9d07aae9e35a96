/**
 * The `--follow` loop, shared by `cat` and `list`: list the window, hand what is new to the
 * printer, sleep `interval`, list again, for ever (until the run's signal aborts).
 *
 * Every listing is the pruned listing of a window with no end (src/listing.ts), so a poll reads
 * only the newest time folders and name prefixes and its cost does not grow with the archive:
 *   - the first lists from the earlier of --since and now − lateness: what --since selects is
 *     printed ('initial'), the rest is only remembered, so a later poll does not take it for new;
 *   - every later one lists from now − lateness: an object not seen before is 'new', or 'late'
 *     when its data is older than data already printed; a known key with another ETag is
 *     'rewritten' (the printer decides between the appended tail and the whole new version).
 * "now" is the run's clock (io.now(), ARCHIVE_NOW), read once per poll for every decision.
 *
 * A listing that fails for a reason that may pass (throttling, a 5xx, a network error, each
 * already retried by the provider) is reported through onRetry and the next poll tries again; a
 * refused credential (an expired SAS: exit 3), a missing container (4) or a usage error ends the
 * follow with that error. Nothing ends it silently.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { listEntries, type ListTotals, type PlanEvent } from '../listing.js';
import { inWindow, type Entry, type FilterOptions } from '../filter.js';
import { ArchiveError, ExitCode, TransientError } from '../errors.js';
import { isTransient } from '../providers/resilient-read.js';
import type { StorageProvider } from '../providers/types.js';
import { versionOf, type Change, type Tracker } from './tracker.js';

export interface FollowSource {
  provider: StorageProvider;
  prefix: string;
  layout?: string;
}

export interface PollReport {
  poll: number;
  at: Date;
  /** Start of the window this poll listed. */
  since: Date;
  requests: number;
  scanned: number;
  changes: number;
  late: number;
  rewritten: number;
  /** Locations whose listing failed this poll (reported through onRetry). */
  failed: number;
  /** How long the listings took (the real clock: a duration, not a decision). */
  elapsedMs: number;
}

/** One poll's news. `quiet`: objects the first listing found before --since (remembered, not printed). */
export interface Batch<S extends FollowSource> {
  poll: number;
  changes: Change<S>[];
  quiet: Array<{ at: number; source: S; entry: Entry }>;
}

export interface FollowOptions {
  /** --since: the start of what the first listing prints. */
  since: Date;
  lateness: number;
  interval: number;
  /** --include/--exclude/--kind/--host and --layout, as the listing takes them (no --since/--until). */
  filters: FilterOptions & { layout?: string };
  /** As ListOptions.take: cat takes records only. */
  take?: 'records' | 'data';
  /** As ListOptions.folders (list shows folder markers). */
  folders?: boolean;
  now(): Date;
  signal: AbortSignal;
  /** Waits between polls (default: a timer that the signal cancels); injectable for tests. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  onPoll?(r: PollReport): void;
  /** A listing failed and is tried again next poll; `streak`: polls in a row it has failed (1 the first time). */
  onRetry?(source: FollowSource, err: unknown, poll: number, streak: number): void;
  /** A listing works again after failing `streak` polls in a row. */
  onRecover?(source: FollowSource, poll: number, streak: number): void;
  /** The first listing's plan decisions (--explain). */
  onPlan?(e: PlanEvent): void;
  /** Stops after this many polls (tests); the first listing is poll 0. */
  polls?: number;
}

/** A failure the next poll may not see again: everything but a refusal, a missing container and a usage error. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  if (err instanceof ArchiveError) return err.exitCode === ExitCode.UNEXPECTED && (err.status === undefined || err.status >= 500);
  return isTransient(err);
}

function byTime(a: Change, b: Change): number {
  return a.entry.time.getTime() - b.entry.time.getTime() || (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0);
}

/**
 * Runs the loop: `handle` gets each poll's batch (the first one too, even empty) and must call
 * tracker.shown / tracker.failed for each change it printed or could not print. Returns only when
 * `polls` is reached; otherwise it ends by the signal (throwing its reason) or a fatal error.
 */
export async function follow<S extends FollowSource>(
  sources: readonly S[],
  o: FollowOptions,
  tracker: Tracker,
  handle: (b: Batch<S>) => Promise<void>,
): Promise<void> {
  const sleep = o.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const primed = sources.map(() => false);
  const failing = sources.map(() => 0);
  for (let poll = 0; o.polls === undefined || poll < o.polls; poll++) {
    if (poll > 0) await sleep(o.interval, o.signal);
    o.signal.throwIfAborted();
    const now = o.now();
    const floor = new Date(now.getTime() - o.lateness);
    const batch: Batch<S> = { poll, changes: [], quiet: [] };
    const started = performance.now();
    const report: PollReport = {
      poll,
      at: now,
      since: floor,
      requests: 0,
      scanned: 0,
      changes: 0,
      late: 0,
      rewritten: 0,
      failed: 0,
      elapsedMs: 0,
    };
    for (const [at, source] of sources.entries()) {
      // A location's first complete listing is its initial one (a failed first listing is retried as such).
      const first = !primed[at];
      const since = first && o.since < floor ? o.since : floor;
      if (since < report.since) report.since = since;
      const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
      const keys = new Set<string>();
      try {
        const listing = listEntries(
          source.provider,
          source.prefix,
          {
            ...o.filters,
            layout: o.filters.layout ?? source.layout,
            since: since.toISOString(),
            until: undefined,
            take: o.take,
            folders: o.folders,
            now,
            onPlan: first ? o.onPlan : undefined,
          },
          totals,
        );
        for await (const entry of listing) {
          keys.add(entry.key);
          if (first) {
            // After a first listing that failed part-way, what it printed is not printed again.
            if (tracker.get(at, entry.key)?.version === versionOf(entry)) continue;
            if (inWindow({ since: o.since }, entry.time, entry.timeEnd)) batch.changes.push({ source, at, entry, kind: 'initial' });
            else {
              tracker.remember(at, entry);
              batch.quiet.push({ at, source, entry });
            }
            continue;
          }
          const c = tracker.classify(at, entry);
          if (c) batch.changes.push({ source, at, entry, ...c });
        }
        // Only a complete listing tells what left the window.
        tracker.retain(at, keys);
        primed[at] = true;
        if (failing[at]) o.onRecover?.(source, poll, failing[at]);
        failing[at] = 0;
      } catch (err) {
        if (o.signal.aborted) throw o.signal.reason ?? err;
        if (!isRetryable(err)) throw err;
        report.failed++;
        o.onRetry?.(source, err, poll, ++failing[at]);
      } finally {
        report.requests += totals.requests ?? 0;
        report.scanned += totals.scanned;
      }
    }
    report.elapsedMs = performance.now() - started;
    batch.changes.sort(byTime);
    report.changes = batch.changes.length;
    report.late = batch.changes.filter((c) => c.kind === 'late').length;
    report.rewritten = batch.changes.filter((c) => c.kind === 'rewritten').length;
    o.onPoll?.(report);
    await handle(batch);
  }
}
