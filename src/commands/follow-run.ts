/**
 * `archive cat … --follow` and `archive list … --follow`: the run behind ./cat.ts and ./list.ts
 * when --follow is given (loaded only then). Every usage error is found before the first request;
 * the loop is src/follow/poll.ts, cat's printer src/follow/records.ts, list's rows ./list-run.ts.
 *
 * Endings, as every command: Ctrl-C 130, SIGTERM 143 (the run's interrupt), a closed pipe 0, a
 * refused credential (an expired SAS) 3, a location with nothing under it 4.
 */
import { setMaxListeners } from 'node:events';
import type { Io } from '../io.js';
import { type ArchiveError, InterruptedError, UsageError } from '../errors.js';
import { scopeFilters, type FilterOptions } from '../filter.js';
import { getLayout } from '../layouts/index.js';
import { nothingUnder, prefixIsEmpty, type PlanEvent } from '../listing.js';
import { formatDuration, isoUtc, parseTimeSpec } from '../time.js';
import { DEFAULT_SINCE, parseInterval, parseLateness } from '../follow/settings.js';
import { follow, type Batch, type FollowOptions, type FollowSource, type PollReport } from '../follow/poll.js';
import { Tracker } from '../follow/tracker.js';
import { recordPrinter } from '../follow/records.js';
import { DEFAULT_RETRY } from '../providers/resilient-read.js';
import { escapeText } from '../output/escape.js';
import { stderrColor, stdoutColor } from '../output/color.js';
import { resolveOutputFormat } from '../output/output-format.js';
import { parsePositiveInt } from '../output/size.js';
import { stdoutColumns, stdoutIsTTY } from '../output/terminal.js';
import { BrokenPipe, LineWriter } from '../output/writer.js';
import { redact } from '../redact.js';
import type { FollowFlags } from './follow-options.js';
import { followLines, type ListFlags } from './list-run.js';
import { open, targetFor } from './target-open.js';
import type { TargetFlags } from './options.js';

interface Common extends TargetFlags, FilterOptions, FollowFlags {
  layout?: string;
}

export interface CatFollowFlags extends Common {
  order?: 'time' | 'key';
  prefetch?: string;
  retries?: string;
  raw?: boolean;
}

interface Settings {
  since: Date;
  interval: number;
  lateness: number;
  filters: FollowOptions['filters'];
}

/** --follow's flags read and checked: every usage error here, before any request. */
function followSettings(flags: Common, io: Io): Settings {
  if (!flags.follow)
    throw new UsageError(`${flags.interval !== undefined ? '--interval' : '--lateness'} is a setting of --follow`, {
      hint: 'add --follow, or drop it',
    });
  if (flags.until !== undefined)
    throw new UsageError('--until cannot be used with --follow: a follow has no end', {
      hint: 'drop --until; --since says where the follow starts (default 10m)',
    });
  const interval = parseInterval(flags.interval);
  const lateness = parseLateness(flags.lateness);
  const since = parseTimeSpec(flags.since ?? DEFAULT_SINCE, '--since', io.now());
  scopeFilters(flags); // an unknown --kind
  const layout = flags.layout === 'auto' ? undefined : flags.layout;
  if (layout) getLayout(layout);
  return {
    since,
    interval,
    lateness,
    filters: { include: flags.include, exclude: flags.exclude, kind: flags.kind, host: flags.host, layout },
  };
}

/** The run's stop signals: Ctrl-C/SIGTERM (the run's interrupt) and stdout closing (EPIPE: a normal end). */
function stops(io: Io): { signal: AbortSignal; interrupted: AbortSignal; piped: AbortSignal; release(): void } {
  const interrupted = io.interrupt.signal();
  const pipe = new AbortController();
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') pipe.abort(new BrokenPipe('stdout closed'));
  };
  io.stdout.on('error', onStdoutError);
  const signal = AbortSignal.any([interrupted, pipe.signal]);
  setMaxListeners(0, signal); // one listener per prefetched object
  return { signal, interrupted, piped: pipe.signal, release: () => io.stdout.off('error', onStdoutError) };
}

/** How the loop's end becomes the run's: a closed pipe is success, a signal is 130/143. */
async function untilStopped(io: Io, run: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const s = stops(io);
  try {
    await run(s.signal);
  } catch (err) {
    if (s.piped.aborted || err instanceof BrokenPipe || (err as NodeJS.ErrnoException)?.code === 'EPIPE') return;
    if (s.interrupted.aborted) throw new InterruptedError('interrupted');
    throw err;
  } finally {
    s.release();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** How long the next poll waits, as typed: `150ms`, `30s`, `5m 0s`. */
function intervalText(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(ms);
}

/**
 * The loop's reports on stderr. A failing listing: its first failure, then every 10th poll in a
 * row, then when it works again (a service down for an hour is not 120 identical lines). With
 * --verbose one line per poll.
 */
function reporting(io: Io, s: Settings, verbose: boolean): Pick<FollowOptions, 'onPoll' | 'onRetry' | 'onRecover'> {
  const c = stderrColor(io);
  const warn = (line: string) => io.stderr.write(`${c.yellow('warning:')} ${escapeText(redact(line))}\n`);
  const where = (source: FollowSource) => `${source.provider.describe()}/${source.prefix}`;
  return {
    onPoll: verbose
      ? (r: PollReport) =>
          io.stderr.write(
            `${c.dim(
              `follow: poll ${r.poll} from ${isoUtc(r.since)}: ${plural(r.requests, 'LIST request')}, ${plural(r.scanned, 'key')} scanned, ` +
                `${r.changes - r.rewritten} new${r.late ? ` (${r.late} late)` : ''}, ${r.rewritten} rewritten${r.failed ? `, ${r.failed} failed` : ''} ` +
                `(${Math.round(r.elapsedMs)} ms)`,
            )}\n`,
          )
      : undefined,
    onRetry: (source, err, poll, streak) => {
      if (streak !== 1 && streak % 10 !== 0) return;
      const e = err as ArchiveError;
      const what = `${e?.message ?? String(err)}${e?.serviceCode ? ` (${e.serviceCode})` : ''}`;
      const again = streak === 1 ? '' : `, ${streak} polls in a row`;
      warn(`poll ${poll}: listing ${where(source)} failed${again}: ${what}; trying again every ${intervalText(s.interval)}`);
    },
    onRecover: (source, poll, streak) => warn(`poll ${poll}: listing ${where(source)} works again after ${plural(streak, 'failed poll')}`),
  };
}

/** A location with nothing under it at all is a typo (exit 4), as `cat` says without --follow. */
async function checkNotEmpty<S extends FollowSource>(sources: readonly S[], batch: Batch<S>): Promise<void> {
  if (batch.poll !== 0) return;
  const found = new Set([...batch.changes, ...batch.quiet].map((c) => c.at));
  for (const [at, s] of sources.entries())
    if (!found.has(at) && (await prefixIsEmpty(s.provider, s.prefix))) throw nothingUnder(s.provider, s.prefix);
}

export async function runCatFollow(locations: string[], flags: CatFollowFlags, io: Io): Promise<void> {
  const s = followSettings(flags, io);
  const prefetch = flags.prefetch === undefined ? 4 : Number(flags.prefetch);
  if (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > 64)
    throw new UsageError(`--prefetch: expected a whole number from 0 to 64, got "${flags.prefetch}"`, {
      hint: '0 reads one object at a time; the default is 4',
    });
  const retry = flags.retries === undefined ? undefined : { ...DEFAULT_RETRY, attempts: parsePositiveInt(flags.retries, '--retries', 100) };
  const sources: FollowSource[] = [];
  for (const loc of locations) {
    const target = await targetFor(loc, flags, io);
    sources.push({ provider: await open(target, io), prefix: target.prefix, layout: target.layout });
  }
  const c = stderrColor(io);
  const tracker = new Tracker();
  await untilStopped(io, async (signal) => {
    const print = recordPrinter(tracker, {
      out: io.stdout,
      order: flags.order,
      prefetch,
      retry,
      raw: flags.raw,
      signal,
      note: (key, text) => io.stderr.write(`${c.dim(escapeText(redact(`note: ${key} ${text}`)))}\n`),
      error: (_key, err, written) => {
        const partial = written ? ` [${written} bytes of it were written before it failed]` : '';
        io.stderr.write(
          `${c.red('archive:')} ${escapeText(redact(`${err.message}${err.serviceCode ? ` (${err.serviceCode})` : ''}`))}${partial}\n`,
        );
      },
    });
    await follow(
      sources,
      { ...s, take: 'records', now: () => io.now(), signal, ...reporting(io, s, !!flags.verbose) },
      tracker,
      async (batch) => {
        await checkNotEmpty(sources, batch);
        if (batch.poll === 0 && !batch.changes.length) io.stderr.write(`${c.dim('no object matches the filters yet; following')}\n`);
        await print(batch);
      },
    );
  });
}

export async function runListFollow(location: string, flags: ListFlags & FollowFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags);
  const clash = [
    flags.sort && '--sort',
    flags.limit !== undefined && '--limit',
    flags.summary && '--summary',
    flags.histogram && '--histogram',
    format === 'json' && '-o json',
    flags.prune === false && '--no-prune',
  ].find(Boolean);
  if (clash)
    throw new UsageError(`${clash} cannot be used with --follow`, {
      hint:
        clash === '-o json'
          ? 'a follow never ends, so it cannot be one JSON document: use -o ndjson (one object per line)'
          : clash === '--no-prune'
            ? 'a follow lists only the newest folders of its window at every poll'
            : 'a follow prints objects as they land; drop it',
    });
  if (flags.urls && format !== 'table')
    throw new UsageError('--urls prints object URLs only: it cannot be combined with another output format', {
      hint: 'drop -o/--json/--ndjson/--csv, or --urls',
    });
  const s = followSettings(flags, io);
  const tty = stdoutIsTTY(io);
  const target = await targetFor(location, flags, io);
  const provider = await open(target, io);
  const urlOf = flags.urls ? (await import('../query/object-urls.js')).objectUrl : undefined;
  const plan =
    flags.explain || flags.verbose
      ? (await import('../listing/explain.js')).planPrinter((l) => io.stderr.write(`${escapeText(l)}\n`))
      : undefined;
  const lines = followLines(flags, {
    format,
    tty,
    width: stdoutColumns(io),
    base: target.prefix.slice(0, target.prefix.lastIndexOf('/') + 1),
    c: tty ? stdoutColor(io) : undefined,
    urlOf: urlOf && ((k) => urlOf(target, k)),
  });
  const sources: FollowSource[] = [{ provider, prefix: target.prefix, layout: target.layout }];
  const out = new LineWriter(io.stdout);
  const tracker = new Tracker();
  const report = reporting(io, s, !!flags.verbose);
  await untilStopped(io, (signal) =>
    follow(
      sources,
      {
        ...s,
        folders: !urlOf,
        now: () => io.now(),
        signal,
        onRetry: report.onRetry,
        onRecover: report.onRecover,
        onPlan: plan && ((e: PlanEvent) => plan.onPlan(e)),
        onPoll: (r) => {
          if (r.poll === 0) plan?.end({ requests: r.requests, scanned: r.scanned, count: r.changes });
          report.onPoll?.(r);
        },
      },
      tracker,
      async (batch) => {
        await checkNotEmpty(sources, batch);
        for (const l of lines(batch.changes.map((ch) => ({ entry: ch.entry, change: ch.kind })))) await out.line(l);
        await out.flush();
        for (const ch of batch.changes) tracker.shown(ch);
      },
    ),
  );
}
