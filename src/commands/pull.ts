import { Option, type Command } from 'commander';
import { stderrIsTTY } from '../output/terminal.js';
import { tuneGcForTransfers } from '../gc-tuning.js';
import {
  addFilterOptions,
  addRequestPayerOption,
  addTargetOptions,
  giveBackOptionalValue,
  targetFor,
  open,
  type TargetFlags,
} from './options.js';
import type { ListOptions } from '../listing.js';
import type { FileReport, PullEvents } from '../pull/engine.js';
import { DEFAULT_CONCURRENCY } from '../pull/defaults.js';
import { parsePositiveInt, parseSize } from '../output/size.js';
import { formatBytes } from '../output/format.js';
import { formatElapsed, parseDuration } from '../time.js';
import type { Io } from '../io.js';
import type { OutputFlags } from '../output/output-format.js';
import type { Target } from '../target.js';
import type { StorageProvider } from '../providers/types.js';
import type { Shard } from '../pull/plan.js';
import { InterruptedError, UsageError, problemOf } from '../errors.js';
import { redact } from '../redact.js';
import { escapeText } from '../output/escape.js';
import type { RestorePlan } from './restore.js';

interface PullFlags extends TargetFlags, ListOptions, OutputFlags {
  concurrency?: string;
  decompress?: boolean;
  flatten?: boolean;
  dryRun?: boolean;
  shard?: string;
  dedupe?: boolean;
  quiet?: boolean;
  progress?: boolean | string;
  chunkSize?: string;
  multipartThreshold?: string;
  lockTimeout?: string;
  cleanParts?: boolean;
  skipArchived?: boolean;
  waitRestore?: boolean;
  restoreTier?: string;
  restorePriority?: string;
  restoreDays?: string;
  interval?: string;
}

/** One line a person reads about a file: keys, paths and service messages escaped (output/escape.ts). */
function fileLine(r: FileReport): string {
  return escapeText(redact(fileText(r)));
}

function fileText(r: FileReport): string {
  switch (r.status) {
    case 'failed':
      return `failed      ${r.key}: ${problemOf(r.error?.message ?? '', r.key)}${r.error?.code ? ` (${r.error.code})` : ''}`;
    case 'duplicate':
      return `duplicate   ${r.key} (same partition as ${r.keptInstead}; kept that one)`;
    case 'archived':
      return `archived    ${r.key} (${r.tier || r.error?.code || 'archive tier'}: not pulled, restore it first)`;
    case 'planned':
      if (r.planned === 'skip') return `would skip  ${r.key} → ${r.path} (complete)`;
      if (r.planned === 'resume')
        return `would resume ${r.key} → ${r.path} (${formatBytes(r.resumedBytes ?? 0)} of ${formatBytes(r.objectBytes)} on disk)`;
      return `would pull  ${r.key} → ${r.path} (${formatBytes(r.objectBytes)})`;
    default:
      return `${r.status.padEnd(11)} ${r.key} → ${r.path}${r.resumedBytes ? ` (resumed at ${formatBytes(r.resumedBytes)})` : ''}`;
  }
}

function dryRunSummary(files: FileReport[]): string[] {
  const planned = files.filter((f) => f.status === 'planned');
  const by = (p: FileReport['planned']) => planned.filter((f) => (f.planned ?? 'pull') === p);
  const [pull, resume, skip] = [by('pull'), by('resume'), by('skip')];
  const fetch = [...pull, ...resume];
  const bytes = fetch.reduce((n, f) => n + f.objectBytes - (f.resumedBytes ?? 0), 0);
  const parts = [`${fetch.length} object${fetch.length === 1 ? '' : 's'} (${formatBytes(bytes)}) would be pulled`];
  if (resume.length)
    parts.push(`${resume.length} of them resumed (${formatBytes(resume.reduce((n, f) => n + (f.resumedBytes ?? 0), 0))} on disk)`);
  if (skip.length) parts.push(`${skip.length} already complete`);
  return parts;
}

/** A pull as the command line asked for it, parsed and checked (usage errors come from here). */
export interface PullCommandOptions {
  location: string;
  dest: string;
  flags: PullFlags;
  verbose: boolean;
  shard: Shard | undefined;
  concurrency: number;
  chunkSize?: number;
  multipartThreshold?: number;
  /** table: lines for a person on stderr; json: one report document; ndjson: one line per file, then the summary. */
  format: PullFormat;
  /** undefined: a bar when stderr is a terminal; 'plain': a line every 10 s; 'tty': the bar. */
  progressMode?: 'tty' | 'plain';
  /** --lock-timeout in ms (0: wait for ever); undefined: the default. */
  lockTimeoutMs?: number;
}

const RESTORE_FLAGS = { tier: '--restore-tier', priority: '--restore-priority', days: '--restore-days', copyTo: '--copy-to' };

const PULL_FORMATS = ['table', 'json', 'ndjson'] as const;
type PullFormat = (typeof PULL_FORMATS)[number];

type PullResult = Awaited<ReturnType<typeof import('../pull/engine.js').pull>>;

/** The register's half: flags to options, every usage error before anything touches storage. */
export async function pullOptions(
  location: string,
  dest: string | undefined,
  flags: PullFlags,
  verbose: boolean,
  io: Io,
): Promise<PullCommandOptions> {
  const [{ parseShard }, { resolveOutputFormat }] = await Promise.all([import('../pull/plan.js'), import('../output/output-format.js')]);
  const format = resolveOutputFormat(flags, PULL_FORMATS) as PullFormat;
  const shard = parseShard(flags.shard);
  const concurrency = flags.concurrency ? parsePositiveInt(flags.concurrency, '--concurrency', 256) : DEFAULT_CONCURRENCY;
  const chunkSize = flags.chunkSize ? parseSize(flags.chunkSize, '--chunk-size') : undefined;
  const multipartThreshold = flags.multipartThreshold ? parseSize(flags.multipartThreshold, '--multipart-threshold') : undefined;
  if (typeof flags.progress === 'string' && !['plain', 'bar'].includes(flags.progress)) {
    throw new UsageError(`--progress "${flags.progress}": expected bar or plain`, {
      hint: 'plain prints one line every 10 s (for CI logs); bar draws on a terminal',
    });
  }
  const progressMode = flags.progress === undefined ? undefined : flags.progress === 'plain' || !stderrIsTTY(io) ? 'plain' : 'tty';
  const lockTimeoutMs = flags.lockTimeout === undefined ? undefined : parseLockTimeout(flags.lockTimeout);
  if (!flags.waitRestore) {
    const given = (['restoreTier', 'restorePriority', 'restoreDays', 'interval'] as const).find((f) => flags[f] !== undefined);
    if (given)
      throw new UsageError(`--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --wait-restore`, {
        hint: 'add --wait-restore, or use `archive restore` for the restore on its own',
      });
  } else {
    if (flags.skipArchived) throw new UsageError('--wait-restore and --skip-archived contradict each other', { hint: 'choose one' });
    if (flags.dryRun)
      throw new UsageError('--dry-run requests no restore to wait for', {
        hint: '`pull --dry-run` names the archived objects; `archive restore … --dry-run` shows what a restore would request',
      });
  }
  return {
    location,
    dest: dest ?? '.',
    flags,
    format,
    verbose,
    shard,
    concurrency,
    chunkSize,
    multipartThreshold,
    progressMode,
    lockTimeoutMs,
  };
}

/** `--lock-timeout 10m|90s|1h|0`: 0 waits for ever. */
function parseLockTimeout(text: string): number {
  if (text.trim() === '0') return 0;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--lock-timeout "${text}": expected a duration like 90s, 10m or 1h (0 waits for ever)`, {
      hint: 'how long to wait for a file another run holds while it makes no progress',
    });
  return ms;
}

/** `pid 4242 on build-7, since 2026-12-01T00:30:00Z` (file-lock.ts describeOwner, without loading it). */
function holder(owner: { pid: number; host: string; since?: string }): string {
  return `pid ${owner.pid} on ${owner.host}${owner.since ? `, since ${owner.since.replace(/\.\d{3}Z$/, 'Z')}` : ''}`;
}

/** `pull --wait-restore`: restore what the listing holds archived and wait until it is readable (no shard: every worker waits for all). */
async function restoreFirst(provider: StorageProvider, target: Target, opts: PullCommandOptions, plan: RestorePlan, io: Io): Promise<void> {
  const { requestRestore } = await import('./restore.js');
  const { restoreExitError } = await import('../restore/run.js');
  const { flags } = opts;
  const quiet = !!flags.quiet || opts.format !== 'table';
  const result = await requestRestore(
    provider,
    target.prefix,
    { ...flags, layout: flags.layout ?? target.layout, now: io.now() },
    plan,
    { dryRun: false, wait: true, quiet: !!flags.quiet, verbose: opts.verbose, label: 'restore' },
    io,
  );
  const failure = restoreExitError(result);
  if (failure) throw failure;
  const t = result.totals;
  if (!quiet && (t.requested || t.raised || t.restoring))
    io.stderr.write(
      `restored ${t.requested + t.raised + t.restoring} archived object${t.requested + t.raised + t.restoring === 1 ? '' : 's'}; pulling\n`,
    );
}

export async function runPull(opts: PullCommandOptions, io: Io): Promise<void> {
  tuneGcForTransfers({ eagerYoungGc: true });
  // Loaded here, not at the top, so `archive --help` does not pay for them.
  const [{ pullExitError }, { Progress }, { LineWriter }] = await Promise.all([
    import('../pull/engine.js'),
    import('../output/progress.js'),
    import('../output/writer.js'),
  ]);
  const target = await targetFor(opts.location, opts.flags, io);
  const { flags } = opts;
  // The restore flags depend on the provider: checked before any request.
  const restorePlan = flags.waitRestore
    ? await (await import('./restore.js')).restorePlan(
        target.provider,
        {
          tier: flags.restoreTier,
          priority: flags.restorePriority,
          days: flags.restoreDays,
          interval: flags.interval,
          progress: flags.progress,
        },
        io,
        RESTORE_FLAGS,
      )
    : undefined;
  const provider = await open(target, io);
  if (restorePlan) await restoreFirst(provider, target, opts, restorePlan, io);
  const machine = opts.format !== 'table';
  const progress = await Progress.create('pull', io.stderr, !flags.quiet && !machine && !flags.dryRun, opts.progressMode, io.env);
  const out = new LineWriter(io.stdout);
  const result = await transferAll(provider, target, opts, { progress, out }, io);
  const secs = progress.elapsedMs() / 1000;
  const held = await archivedReport(result, opts, io);
  if (opts.format === 'json') await out.line(JSON.stringify(jsonReport(result, secs, !!flags.dryRun, held)));
  else if (opts.format === 'ndjson') {
    const report = jsonReport(result, secs, !!flags.dryRun, held);
    for (const f of report.files) await out.line(JSON.stringify(f));
    for (const f of report.stale ?? []) await out.line(JSON.stringify({ stale: f }));
    await out.line(JSON.stringify({ summary: report.summary }));
  } else if (flags.dryRun) {
    for (const f of result.files) if (f.status === 'duplicate') await out.line(fileLine(f));
    for (const f of result.stale ?? [])
      await out.line(`stale       ${f.path} (${formatBytes(f.bytes)}; left by an interrupted run, no selected object writes it)`);
  } else if (!flags.quiet) {
    for (const f of result.files) if (f.status === 'duplicate') io.stderr.write(`${fileLine(f)}\n`);
  }
  await out.flush();
  if (!flags.quiet && !machine) await printSummary(result, secs, !!flags.dryRun, io);
  if (held && !flags.quiet) for (const l of held.lines) io.stderr.write(`${l}\n`);
  const failure = pullExitError(result);
  if (failure) throw failure;
  if (held?.error) throw held.error;
}

/** The archived objects this pull did not read: their summary and the restore command (restore/held.ts). */
async function archivedReport(result: PullResult, opts: PullCommandOptions, io: Io) {
  if (!result.archived.length) return undefined;
  const { heldReport } = await import('../restore/held.js');
  return heldReport([{ location: opts.location, entries: result.archived }], {
    verb: 'pulled',
    filters: opts.flags,
    now: io.now(),
    skip: !!opts.flags.skipArchived,
    dryRun: !!opts.flags.dryRun,
  });
}

interface PullOutput {
  progress: import('../output/progress.js').Progress;
  out: import('../output/writer.js').LineWriter;
}

/** Runs the engine with the progress and per-file lines wired in; an interrupt, however it surfaces, ends as one InterruptedError. */
async function transferAll(
  provider: StorageProvider,
  target: Target,
  opts: PullCommandOptions,
  o: PullOutput,
  io: Io,
): Promise<PullResult> {
  const [{ pull }, { stateRoot }] = await Promise.all([import('../pull/engine.js'), import('../pull/pulled-record.js')]);
  const { flags } = opts;
  const signal = io.interrupt.signal();
  let result: PullResult | undefined;
  try {
    result = await pull(
      provider,
      target.prefix,
      {
        ...flags,
        layout: flags.layout ?? target.layout,
        dest: opts.dest,
        concurrency: opts.concurrency,
        shard: opts.shard,
        lockTimeoutMs: opts.lockTimeoutMs,
        cleanParts: !!flags.cleanParts,
        chunkSize: opts.chunkSize,
        multipartThreshold: opts.multipartThreshold,
        wantSha256: opts.format !== 'table',
        signal,
        stateDir: stateRoot(io.env),
        now: io.now(),
      },
      pullEvents(opts, o),
    );
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    o.progress.stop();
  }
  // Whether the engine threw or returned early, an interrupt is reported one way.
  if (signal.aborted || !result) throw new InterruptedError('interrupted: part files were kept; run the same command again to resume');
  return result;
}

/** The engine's events to the progress line and the per-file lines (failures always, every file with --verbose). */
function pullEvents(opts: PullCommandOptions, o: PullOutput): PullEvents {
  const { flags, verbose } = opts;
  const machine = opts.format !== 'table';
  const { progress, out } = o;
  return {
    planned: (n, b) => progress.planned(n, b),
    bytes: (n) => progress.addBytes(n),
    resumed: (_key, n) => progress.resuming(1, n),
    fileDone: (r) => {
      progress.fileDone(r.status);
      if (flags.dryRun && !machine) void out.line(fileLine(r));
      else if (!machine && (verbose || r.status === 'failed') && !flags.quiet) progress.log(fileLine(r));
    },
    waiting: (key, path, owner) => {
      // On stderr even with -o json: a run that seems stuck must say why.
      if (!flags.quiet)
        progress.log(escapeText(`waiting     ${key}: another archive pull${owner ? ` (${holder(owner)})` : ''} is writing ${path}`));
    },
    retry: (key, err, attempt) => {
      if (verbose) progress.log(escapeText(redact(`retry ${attempt} ${key}: ${(err as Error).message ?? err}`)));
    },
  };
}

/** `-o json`: every file and the totals, one document (`-o ndjson` prints the same, a line each). */
function jsonReport(
  result: PullResult,
  secs: number,
  dryRun: boolean,
  held?: Awaited<ReturnType<typeof archivedReport>>,
): { files: unknown[]; summary: unknown; stale?: unknown[] } {
  return {
    files: result.files.map((f) => ({
      key: f.key,
      path: f.path,
      bytes: f.bytes,
      objectBytes: f.objectBytes,
      sha256: f.sha256,
      status: f.status,
      planned: f.planned,
      verified: f.verified,
      resumedBytes: f.resumedBytes,
      keptInstead: f.keptInstead,
      tier: f.tier,
      error: f.error,
    })),
    summary: {
      ...result.totals,
      seconds: Math.round(secs * 1000) / 1000,
      dryRun,
      ...(result.leftOut ? { leftOut: result.leftOut } : {}),
      ...(held
        ? {
            // totals.archived/archivedBytes count them; this says how to get them.
            restore: {
              commands: held.commands,
              restoring: held.held.restoring,
              oldest: held.held.oldest && { key: held.held.oldest.key, time: held.held.oldest.time.toISOString() },
            },
          }
        : {}),
    },
    ...(result.stale ? { stale: staleReport(result) } : {}),
  };
}

/** Leftovers of interrupted runs for objects this run does not select; `removed` with --clean-parts. */
function staleReport(result: PullResult): Array<{ path: string; bytes: number; removed: boolean }> {
  const removed = new Set(result.removed ?? []);
  return (result.stale ?? []).map((f) => ({ path: f.path, bytes: f.bytes, removed: removed.has(f.path) }));
}

/** The one stderr line a person reads at the end, and the note about objects left out. */
async function printSummary(result: PullResult, secs: number, dryRun: boolean, io: Io): Promise<void> {
  const t = result.totals;
  const rate = secs > 0 ? ` at ${formatBytes(t.downloadedBytes / secs)}/s` : '';
  const parts = dryRun
    ? dryRunSummary(result.files)
    : [`${t.downloaded} downloaded (${formatBytes(t.downloadedBytes)}${rate})`, `${t.skipped} already complete`, `${t.failed} failed`];
  if (t.archived) parts.push(`${t.archived} archived (${formatBytes(t.archivedBytes)}) ${dryRun ? 'would not be' : 'not'} pulled`);
  if (t.resumedBytes) parts.push(`${formatBytes(t.resumedBytes)} resumed`);
  if (t.duplicates) parts.push(`${t.duplicates} duplicate${t.duplicates === 1 ? '' : 's'} skipped (--dedupe)`);
  io.stderr.write(`${parts.join(', ')} in ${formatElapsed(secs * 1000)}\n`);
  const stale = result.stale ?? [];
  const removed = new Set(result.removed ?? []);
  const bytesOf = (fs: typeof stale) => formatBytes(fs.reduce((n, f) => n + f.bytes, 0));
  const files = (n: number) => `${n} leftover file${n === 1 ? '' : 's'}`;
  if (removed.size) {
    const gone = stale.filter((f) => removed.has(f.path));
    io.stderr.write(`removed ${files(gone.length)} (${bytesOf(gone)}) of interrupted runs for objects this run does not select\n`);
  } else if (stale.length)
    io.stderr.write(
      `${files(stale.length)} (${bytesOf(stale)}) of interrupted runs for objects this run does not select: --clean-parts removes them\n`,
    );
  const note = (await import('../listing.js')).leftOutNote(result.leftOut);
  if (note) io.stderr.write(`${note}\n`);
}

export function registerPull(program: Command, io: Io): void {
  const cmd = program
    .command('pull')
    .description('download archive objects: parallel, resumable, verified, optionally decompressed')
    .argument('<location>', 'az://…, blob URL (SAS ok), s3://… or PROFILE:PREFIX')
    .argument('[dest]', 'destination directory (default: current directory)');
  addTargetOptions(cmd);
  addRequestPayerOption(cmd);
  addFilterOptions(cmd)
    .option('-c, --concurrency <n>', `parallel transfers (objects and ranged parts), default ${DEFAULT_CONCURRENCY}`)
    .option('-d, --decompress', 'decode .zst and .gz while downloading; output names drop the suffix')
    .option('--flatten', 'write every file directly into DEST (name clashes get a short hash)')
    .option('-n, --dry-run', 'show what would be pulled, write nothing')
    .option(
      '--shard <i/n>',
      'pull only shard i of n: balanced by bytes, deterministic for the same listing (give every worker the same --until)',
    )
    .option('--dedupe', 'when two objects hold the same logical partition (re-exports), keep the newest')
    .addOption(
      new Option('-o, --output <format>', 'table (lines on stderr, the default), json or ndjson').choices(['table', 'json', 'ndjson']),
    )
    .option('--json', 'same as -o json: a JSON report of every object (key, path, bytes, sha256, status) and the summary')
    .option('-q, --quiet', 'no progress and no summary')
    .option('--progress [style]', 'progress even off a terminal: plain prints a line every 10 s (CI logs); bar (the default on a terminal)')
    .option('--chunk-size <size>', 'ranged part size for large objects (default 16M)')
    .option('--multipart-threshold <size>', 'objects at least this large download in parallel parts (default 64M)')
    .option(
      '--lock-timeout <duration>',
      'give up on a file another pull holds once it made no progress this long (default 10m; 0 waits for ever)',
    )
    .option('--clean-parts', 'remove part/temp/lock files left under DEST by interrupted runs for objects this run does not select')
    .option('--skip-archived', 'archived objects (Azure Archive tier, S3 Glacier) are named but do not fail the run: exit 0')
    .option('--wait-restore', 'restore the archived objects first (as `archive restore`), wait until they are readable, then pull')
    .option(
      '--restore-tier <tier>',
      'with --wait-restore: Azure hot|cool|cold (default hot); S3 Standard|Bulk|Expedited (default Standard)',
    )
    .option('--restore-priority <priority>', 'with --wait-restore: Azure standard|high (default standard)')
    .option('--restore-days <n>', 'with --wait-restore: S3 days the restored copy stays (default 1)')
    .option('--interval <duration>', 'with --wait-restore: time between checks (default 5m; 1m for Expedited/high)')
    .addHelpText(
      'after',
      `
Files are written as NAME.archive-part and renamed only when complete and verified (size, and MD5
when the service has one). Re-running the same command skips complete files and resumes parts.
Two runs on one DEST take turns per file (NAME.archive-lock); a run that died leaves a lock the
next run takes over; a live run that makes no progress on a file for --lock-timeout (10m) is
given up on for that file (named, with its pid, host and start). --dry-run also lists part files
of objects the run does not select (left by runs with another window); --clean-parts removes them. Which object each file holds is recorded outside DEST (ARCHIVE_STATE_DIR, else
$XDG_STATE_HOME/archive or ~/.local/state/archive), so "complete" means the same key and ETag.
Folder markers (keys ending in '/', Azure hdi_isfolder stubs) are skipped.
The run gives up early when the endpoint stops answering (exit 5; run it again to resume).
Archived objects (Azure Archive tier, S3 Glacier/Deep Archive) are never read: they are named with
the \`archive restore …\` command that restores them, the rest is pulled, exit 5 (0 with
--skip-archived); --dry-run says the same. --wait-restore restores, waits and pulls in one run.
Exit codes: 0 all done, 2 DEST is a file, 4 nothing under the location, 5 objects failed or are
archived (one, some or all; 3 or 4 when every one was denied or gone alike), 130 interrupted.

Examples:
  archive pull "https://acct.blob.core.windows.net/vespa?sv=…&sig=…" ./logs --kind access --since 6h -d
  archive pull vespa:acme/search/prod/ ./dumps --kind heapdump --host 'h1*'
  archive pull amplitude:exports/ ./events --since 2d --dedupe --decompress
  archive pull s3://logzio-archive/ ./logs --shard 2/4 --json > report.json`,
    )
    .action(async (location: string, dest: string | undefined, flags: PullFlags, command: Command) => {
      const verbose = !!(command.optsWithGlobals() as { verbose?: boolean }).verbose;
      // `pull --progress LOCATION DEST`: the location is not the progress style.
      const back = giveBackOptionalValue(command, '--progress', flags.progress, ['plain', 'bar'], [location, dest]);
      const [loc, to] = back.positionals as [string, string | undefined];
      return runPull(await pullOptions(loc, to, { ...flags, progress: back.value as PullFlags['progress'] }, verbose, io), io);
    });
}
