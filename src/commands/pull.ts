import { Option, type Command } from 'commander';
import { stderrIsTTY } from '../output/terminal.js';
import { tuneGcForTransfers } from '../gc-tuning.js';
import { addFilterOptions, addRequestPayerOption, addTargetOptions, targetFor, open, type TargetFlags } from './options.js';
import type { ListOptions } from '../listing.js';
import type { FileReport, PullEvents } from '../pull/engine.js';
import { DEFAULT_CONCURRENCY } from '../pull/defaults.js';
import { parsePositiveInt, parseSize } from '../output/size.js';
import { formatBytes } from '../output/format.js';
import { formatDuration } from '../time.js';
import type { Io } from '../io.js';
import type { OutputFlags } from '../output/output-format.js';
import type { Target } from '../target.js';
import type { StorageProvider } from '../providers/types.js';
import type { Shard } from '../pull/plan.js';
import { InterruptedError, UsageError } from '../errors.js';
import { redact } from '../redact.js';

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
}

function fileLine(r: FileReport): string {
  switch (r.status) {
    case 'failed':
      return `failed      ${r.key}: ${r.error?.message}${r.error?.code ? ` (${r.error.code})` : ''}`;
    case 'duplicate':
      return `duplicate   ${r.key} (same partition as ${r.keptInstead}; kept that one)`;
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
}

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
  return { location, dest: dest ?? '.', flags, format, verbose, shard, concurrency, chunkSize, multipartThreshold, progressMode };
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
  const provider = await open(target, io);
  const { flags } = opts;
  const machine = opts.format !== 'table';
  const progress = await Progress.create('pull', io.stderr, !flags.quiet && !machine && !flags.dryRun, opts.progressMode, io.env);
  const out = new LineWriter(io.stdout);
  const result = await transferAll(provider, target, opts, { progress, out }, io);
  const secs = progress.elapsedMs() / 1000;
  if (opts.format === 'json') await out.line(JSON.stringify(jsonReport(result, secs, !!flags.dryRun)));
  else if (opts.format === 'ndjson') {
    const report = jsonReport(result, secs, !!flags.dryRun);
    for (const f of report.files) await out.line(JSON.stringify(f));
    await out.line(JSON.stringify({ summary: report.summary }));
  } else if (flags.dryRun) {
    for (const f of result.files) if (f.status === 'duplicate') await out.line(fileLine(f));
  } else if (!flags.quiet) {
    for (const f of result.files) if (f.status === 'duplicate') io.stderr.write(`${fileLine(f)}\n`);
  }
  await out.flush();
  if (!flags.quiet && !machine) await printSummary(result, secs, !!flags.dryRun, io);
  const failure = pullExitError(result);
  if (failure) throw failure;
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
        progress.log(`waiting     ${key}: another archive pull${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''} is writing ${path}`);
    },
    retry: (key, err, attempt) => {
      if (verbose) progress.log(redact(`retry ${attempt} ${key}: ${(err as Error).message ?? err}`));
    },
  };
}

/** `-o json`: every file and the totals, one document (`-o ndjson` prints the same, a line each). */
function jsonReport(result: PullResult, secs: number, dryRun: boolean): { files: unknown[]; summary: unknown } {
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
      error: f.error,
    })),
    summary: {
      ...result.totals,
      seconds: Math.round(secs * 1000) / 1000,
      dryRun,
      ...(result.leftOut ? { leftOut: result.leftOut } : {}),
    },
  };
}

/** The one stderr line a person reads at the end, and the note about objects left out. */
async function printSummary(result: PullResult, secs: number, dryRun: boolean, io: Io): Promise<void> {
  const t = result.totals;
  const rate = secs > 0 ? ` at ${formatBytes(t.downloadedBytes / secs)}/s` : '';
  const parts = dryRun
    ? dryRunSummary(result.files)
    : [`${t.downloaded} downloaded (${formatBytes(t.downloadedBytes)}${rate})`, `${t.skipped} already complete`, `${t.failed} failed`];
  if (t.resumedBytes) parts.push(`${formatBytes(t.resumedBytes)} resumed`);
  if (t.duplicates) parts.push(`${t.duplicates} duplicate${t.duplicates === 1 ? '' : 's'} skipped (--dedupe)`);
  io.stderr.write(`${parts.join(', ')} in ${formatDuration(secs * 1000)}\n`);
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
    .addHelpText(
      'after',
      `
Files are written as NAME.archive-part and renamed only when complete and verified (size, and MD5
when the service has one). Re-running the same command skips complete files and resumes parts.
Two runs on one DEST take turns per file (NAME.archive-lock); a run that died leaves a lock the
next run takes over. Which object each file holds is recorded outside DEST (ARCHIVE_STATE_DIR, else
$XDG_STATE_HOME/archive or ~/.local/state/archive), so "complete" means the same key and ETag.
Folder markers (keys ending in '/', Azure hdi_isfolder stubs) are skipped.
The run gives up early when the endpoint stops answering (exit 5; run it again to resume).
Exit codes: 0 all done, 2 DEST is a file, 5 some objects failed (the rest are complete), 130 interrupted.

Examples:
  archive pull "https://acct.blob.core.windows.net/vespa?sv=…&sig=…" ./logs --kind access --since 6h -d
  archive pull vespa:acme/search/prod/ ./dumps --kind heapdump --host 'h1*'
  archive pull amplitude:exports/ ./events --since 2d --dedupe --decompress
  archive pull s3://logzio-archive/ ./logs --shard 2/4 --json > report.json`,
    )
    .action(async (location: string, dest: string | undefined, flags: PullFlags, command: Command) => {
      const verbose = !!(command.optsWithGlobals() as { verbose?: boolean }).verbose;
      return runPull(await pullOptions(location, dest, flags, verbose, io), io);
    });
}
