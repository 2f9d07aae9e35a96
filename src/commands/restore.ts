/**
 * `archive restore LOCATION [filters]`: make archived objects readable again — Azure Set Blob Tier
 * (or Copy Blob with --copy-to), S3 RestoreObject — and with --wait, wait until they are. Parses
 * and checks every flag before any request; the work is src/restore/run.ts.
 */
import { Option, type Command } from 'commander';
import { addFilterOptions, addTargetOptions, open, targetFor, type TargetFlags } from './options.js';
import type { ListOptions } from '../listing.js';
import type { Io } from '../io.js';
import type { OutputFlags } from '../output/output-format.js';
import type { RestoreRequest, StorageProvider } from '../providers/types.js';
import type { RestoreResult } from '../restore/run.js';
import { InterruptedError, UsageError } from '../errors.js';
import { parsePositiveInt } from '../output/size.js';
import { stderrIsTTY } from '../output/terminal.js';

export interface RestoreFlags extends TargetFlags, ListOptions, OutputFlags {
  tier?: string;
  priority?: string;
  days?: string;
  copyTo?: string;
  dedupe?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  interval?: string;
  concurrency?: string;
  quiet?: boolean;
  progress?: boolean | string;
}

const FORMATS = ['table', 'json', 'ndjson'] as const;
const DEFAULT_CONCURRENCY = 16;

/** A restore as asked for, every flag checked (the provider's from the location, with no request made). */
export interface RestorePlan {
  request: RestoreRequest;
  intervalMs: number;
  concurrency: number;
  format: (typeof FORMATS)[number];
  progressMode?: 'tty' | 'plain';
}

export async function restorePlan(
  provider: 'azure' | 's3' | 'gcs',
  flags: Pick<
    RestoreFlags,
    'tier' | 'priority' | 'days' | 'copyTo' | 'interval' | 'concurrency' | 'progress' | 'output' | 'json' | 'ndjson' | 'csv'
  >,
  io: Io,
  names?: Parameters<typeof import('../restore/request.js').restoreRequest>[2],
): Promise<RestorePlan> {
  if (provider === 'gcs')
    throw new UsageError('Cloud Storage has nothing to restore: Nearline, Coldline and Archive objects are read as they are', {
      hint: 'pull, cat and query read them directly (Cloud Storage bills a retrieval fee per GiB read)',
    });
  const [{ restoreRequest, defaultIntervalMs, parseInterval }, { resolveOutputFormat }] = await Promise.all([
    import('../restore/request.js'),
    import('../output/output-format.js'),
  ]);
  const format = resolveOutputFormat(flags, FORMATS) as RestorePlan['format'];
  const request = restoreRequest(provider, flags, names);
  const intervalMs = parseInterval(flags.interval) ?? defaultIntervalMs(request);
  const concurrency = flags.concurrency ? parsePositiveInt(flags.concurrency, '--concurrency', 256) : DEFAULT_CONCURRENCY;
  if (typeof flags.progress === 'string' && !['plain', 'bar'].includes(flags.progress))
    throw new UsageError(`--progress "${flags.progress}": expected bar or plain`, {
      hint: 'plain prints one line per check (for CI logs)',
    });
  const progressMode = flags.progress === undefined ? undefined : flags.progress === 'plain' || !stderrIsTTY(io) ? 'plain' : 'tty';
  return { request, intervalMs, concurrency, format, progressMode };
}

/**
 * Requests (and with `wait`, waits for) the restore of what the listing selects; the events go to
 * stderr as lines and a progress line. Shared by `restore` and `pull --wait-restore`.
 */
export async function requestRestore(
  provider: StorageProvider,
  prefix: string,
  list: ListOptions & { dedupe?: boolean },
  plan: RestorePlan,
  o: { dryRun: boolean; wait: boolean; quiet: boolean; verbose: boolean; label: string },
  io: Io,
): Promise<RestoreResult> {
  const [{ restore }, { WaitProgress }, { outcomeLine }] = await Promise.all([
    import('../restore/run.js'),
    import('../output/wait-progress.js'),
    import('../restore/report.js'),
  ]);
  const machine = plan.format !== 'table';
  const progress = WaitProgress.create(o.label, io.stderr, !o.quiet, plan.progressMode, io.env);
  const signal = io.interrupt.signal();
  try {
    return await restore(
      provider,
      prefix,
      {
        ...list,
        request: plan.request,
        concurrency: plan.concurrency,
        dryRun: o.dryRun,
        wait: o.wait ? { intervalMs: plan.intervalMs } : undefined,
        signal,
      },
      {
        object: (x) => {
          if (o.dryRun && !machine && x.action !== 'readable') io.stdout.write(`${outcomeLine(x)}\n`);
          else if (!o.dryRun && !o.quiet && (o.verbose || x.action === 'failed' || x.action === 'unavailable'))
            progress.log(outcomeLine(x));
        },
        wait: (s) => progress.update(s),
      },
    );
  } catch (err) {
    if (signal.aborted)
      throw new InterruptedError('interrupted: the restore requests made so far stand; run the same command again to wait for them');
    throw err;
  } finally {
    progress.stop();
  }
}

export async function runRestore(location: string, flags: RestoreFlags, verbose: boolean, io: Io): Promise<void> {
  const target = await targetFor(location, flags, io);
  const plan = await restorePlan(target.provider, flags, io);
  if (flags.dryRun && flags.wait)
    throw new UsageError('--dry-run requests nothing, so there is nothing to --wait for', { hint: 'drop one of them' });
  const provider = await open(target, io);
  const started = Date.now();
  const result = await requestRestore(
    provider,
    target.prefix,
    { ...flags, layout: flags.layout ?? target.layout, now: io.now() },
    plan,
    { dryRun: !!flags.dryRun, wait: !!flags.wait, quiet: !!flags.quiet, verbose, label: 'restore' },
    io,
  );
  const [{ summaryLines, jsonReport }, { restoreExitError }, { LineWriter }] = await Promise.all([
    import('../restore/report.js'),
    import('../restore/run.js'),
    import('../output/writer.js'),
  ]);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const out = new LineWriter(io.stdout);
  const report = jsonReport(result, { dryRun: !!flags.dryRun, seconds });
  if (plan.format === 'json') await out.line(JSON.stringify(report));
  else if (plan.format === 'ndjson') {
    for (const x of report.objects) await out.line(JSON.stringify(x));
    await out.line(JSON.stringify({ summary: report.summary }));
  }
  await out.flush();
  if (!flags.quiet && plan.format === 'table') {
    for (const l of summaryLines(result, plan.request, { dryRun: !!flags.dryRun, seconds })) io.stderr.write(`${l}\n`);
    if (result.waited)
      io.stderr.write(
        `${result.waited.objects === 1 ? 'the object waited for is' : `all ${result.waited.objects} objects waited for are`} readable (${result.waited.polls} check${result.waited.polls === 1 ? '' : 's'})\n`,
      );
    else if (!flags.dryRun && (result.totals.requested || result.totals.raised || result.totals.restoring))
      io.stderr.write('  `archive restore … --wait` (the same command) waits until they are readable; pull them then\n');
  }
  const failure = restoreExitError(result);
  if (failure) throw failure;
}

export function registerRestore(program: Command, io: Io): void {
  const cmd = program
    .command('restore')
    .description('make archived objects readable: Azure Archive tier (Set Blob Tier), S3 Glacier/Deep Archive (RestoreObject)')
    .argument('<location>', 'az://…, blob URL, s3://… or PROFILE:PREFIX; the filters select as for list and pull');
  addTargetOptions(cmd);
  addFilterOptions(cmd)
    .option(
      '--tier <tier>',
      'Azure: the tier to rehydrate to, hot|cool|cold (default hot); S3: the retrieval tier, Standard|Bulk|Expedited (default Standard)',
    )
    .option('--priority <priority>', 'Azure: standard|high rehydration priority (default standard)')
    .option('--days <n>', 'S3: days the restored copy stays readable (default 1)')
    .option('--copy-to <prefix>', 'Azure: copy each archived blob to PREFIX+KEY in --tier instead of changing its own tier')
    .option('--dedupe', 'when two objects hold the same logical partition (re-exports), restore only the newest (as pull --dedupe)')
    .option('-n, --dry-run', 'show what would be requested (objects, bytes, documented retrieval time), request nothing')
    .option('--wait', 'after the requests, check until every object is readable, then exit 0 (a failed request ends the run instead)')
    .option('--interval <duration>', 'time between --wait checks (default 5m; 1m for S3 Expedited or Azure high priority)')
    .option('-c, --concurrency <n>', `requests in parallel (default ${DEFAULT_CONCURRENCY})`)
    .addOption(
      new Option('-o, --output <format>', 'table (lines on stderr, the default), json or ndjson').choices(['table', 'json', 'ndjson']),
    )
    .option('--json', 'same as -o json: every object (key, size, tier, state, action) and the summary')
    .option('-q, --quiet', 'no progress and no summary')
    .option(
      '--progress [style]',
      'progress even off a terminal: plain prints a line per --wait check (CI logs); bar (the default on a terminal)',
    )
    .addHelpText(
      'after',
      `
Objects already rehydrating or restoring, restored or online are reported and never asked for
again, so the command can be re-run (or run with --wait later) safely. Azure rehydration keeps the
blob's last-modified time: a lifecycle rule may archive it again; --copy-to keeps the archived
original and makes a readable copy. Needs: Azure "Storage Blob Data Contributor" (or a SAS with w);
S3 s3:RestoreObject (and s3:ListBucket; s3:GetObject for Intelligent-Tiering checks).
Documented retrieval times: Azure standard priority up to 15 hours, high under 1 hour for blobs
under 10 GB; S3 Glacier Flexible Retrieval Expedited 1–5 minutes, Standard 3–5 hours, Bulk 5–12
hours; Deep Archive Standard within 12 hours, Bulk within 48 hours.
Exit codes: 0 requested (or, with --wait, all readable), 2 usage, 3 permission denied, 5 some requests failed, 130 interrupted.

Examples:
  archive restore az://acct/cf-logs/http_requests/ --since 2026-01-05 --until 2026-01-06 --dry-run
  archive restore cloudflare:http_requests/ --since 30d --until 29d --priority high --wait
  archive restore s3://my-logzio-archive/123456/ --since 7d --tier Bulk --days 3
  archive restore vespa: --kind access --since 1d --copy-to restored/ --wait`,
    )
    .action(async (location: string, flags: RestoreFlags, command: Command) => {
      const verbose = !!(command.optsWithGlobals() as { verbose?: boolean }).verbose;
      return runRestore(location, flags, verbose, io);
    });
}
