/**
 * `archive freshness LOCATION [filters]`: is every export into the location still arriving, and
 * complete? Per stream the newest data, its lag and the gaps in the window (src/freshness/), as a
 * table, JSON or Prometheus textfile metrics; exit 6 when a stream is late or has a gap.
 * Every usage error is found before the first request.
 */
import { Option, type Command } from 'commander';
import { addFilterOptions, addTargetOptions, open, targetFor, type TargetFlags } from './options.js';
import type { FilterOptions } from '../filter.js';
import type { Io } from '../io.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { parseDuration } from '../time.js';

interface FreshnessFlags extends TargetFlags, FilterOptions {
  layout?: string;
  window?: string;
  maxLag?: string;
  allowGaps?: boolean;
  by?: string;
  cadence?: string;
  output?: string;
  json?: boolean;
  explain?: boolean;
}

const HOUR = 3_600_000;

function duration(text: string, flag: string, min: number, max: number, example: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < min || ms > max)
    throw new UsageError(`${flag}: cannot read "${text}" as a duration from ${min / 60_000}m to ${max / 86_400_000}d`, {
      hint: `e.g. ${flag} ${example}`,
    });
  return ms;
}

/** The flags read and checked, before any request. */
async function settings(flags: FreshnessFlags) {
  if (flags.since !== undefined || flags.until !== undefined)
    throw new UsageError(`${flags.since !== undefined ? '--since' : '--until'} is not a freshness option: the window always ends now`, {
      hint: 'use --window (how far back to look, default 24h); ARCHIVE_NOW=ISO checks as of another moment',
    });
  if (flags.json && flags.output !== undefined && flags.output !== 'json')
    throw new UsageError(`conflicting output formats: -o ${flags.output} and --json`, { hint: 'choose one output format' });
  const format = (flags.json ? 'json' : (flags.output ?? 'table')) as 'table' | 'json' | 'prometheus';
  const window = duration(flags.window ?? '24h', '--window', HOUR, 400 * 24 * HOUR, '24h');
  const maxLag = flags.maxLag === undefined ? undefined : duration(flags.maxLag, '--max-lag', 60_000, 400 * 24 * HOUR, '2h');
  const [{ scopeFilters }, { getLayout }] = await Promise.all([import('../filter.js'), import('../layouts/index.js')]);
  scopeFilters(flags); // an unknown --kind
  const layout = flags.layout === 'auto' ? undefined : flags.layout;
  if (layout) getLayout(layout);
  const cadence = flags.cadence === 'auto' ? undefined : (flags.cadence as 'hour' | 'day' | undefined);
  return {
    format,
    window,
    maxLag,
    cadence,
    by: (flags.by ?? 'auto') as 'auto' | 'folder' | 'host' | 'location',
    filters: { include: flags.include, exclude: flags.exclude, kind: flags.kind, host: flags.host, layout },
  };
}

export async function runFreshness(location: string, flags: FreshnessFlags, io: Io): Promise<void> {
  const s = await settings(flags);
  const target = await targetFor(location, flags, io);
  const [{ checkFreshness }, render, { stdoutColor }, { stdoutColumns, stdoutIsTTY }, { escapeText }] = await Promise.all([
    import('../freshness/check.js'),
    import('../freshness/render.js'),
    import('../output/color.js'),
    import('../output/terminal.js'),
    import('../output/escape.js'),
  ]);
  const plan =
    flags.explain || flags.verbose
      ? (await import('../listing/explain.js')).planPrinter((l) => io.stderr.write(`${escapeText(l)}\n`))
      : undefined;
  const provider = await open(target, io);
  const report = await checkFreshness(provider, target.prefix, {
    filters: { ...s.filters, layout: s.filters.layout ?? target.layout },
    by: s.by,
    window: s.window,
    maxLag: s.maxLag,
    allowGaps: !!flags.allowGaps,
    cadence: s.cadence,
    now: io.now(),
    onPlan: plan?.onPlan,
  });
  plan?.end({ requests: report.requests, scanned: report.scanned, count: report.streams.reduce((a, x) => a + x.objects, 0) });
  const lines =
    s.format === 'json'
      ? [render.renderJson(report)]
      : s.format === 'prometheus'
        ? render.renderPrometheus(report)
        : render.renderTable(report, stdoutColor(io), stdoutIsTTY(io) ? stdoutColumns(io) : undefined);
  io.stdout.write(`${lines.join('\n')}\n`);
  if (!report.ok)
    throw new CheckFailedError(`freshness check failed: ${render.verdictLine(report).replace(/^verdict: FAILED: /, '')}`, {
      hint: report.streams.length
        ? `the ${s.format === 'table' ? 'table' : 'output'} shows each stream's lag and gaps; ${report.streams.some((x) => x.late) ? "`archive sas inspect` on the exporter's SAS tells whether it expired; " : ''}--allow-gaps alarms on lag only`
        : `no export wrote into this location in the window; widen --window to find the last object, or check the exporter (\`archive sas inspect\` on its SAS)`,
    });
}

export function registerFreshness(program: Command, io: Io): void {
  const cmd = program
    .command('freshness')
    .description('per export stream: the newest object, its lag and the gaps in the window; exit 6 when late or gapped')
    .argument('<location>', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (SAS ok), s3://BUCKET/PREFIX or PROFILE:PREFIX');
  addTargetOptions(cmd);
  addFilterOptions(cmd)
    .option('--window <duration>', 'how far back to look for objects and gaps (default 24h)')
    .option('--max-lag <duration>', "fail (exit 6) when a stream's newest data is older than this, e.g. 15m, 2h")
    .option('--allow-gaps', 'fail on lag only; gaps are still reported')
    .addOption(
      new Option('--by <stream>', 'what a stream is: auto (per vendor), folder, host or location').choices([
        'auto',
        'folder',
        'host',
        'location',
      ]),
    )
    .addOption(
      new Option('--cadence <unit>', 'the unit gaps are counted in (default: per stream, from its objects)').choices([
        'auto',
        'hour',
        'day',
      ]),
    )
    .addOption(
      new Option('-o, --output <format>', 'table (default), json or prometheus (node_exporter textfile)').choices([
        'table',
        'json',
        'prometheus',
      ]),
    )
    .option('--json', 'same as -o json')
    .option('--explain', 'print the listing plan and the LIST requests made, to stderr')
    .addHelpText(
      'after',
      `
A stream is a Vespa host and log type, a Cloudflare dataset folder, an Amplitude project, a Logz.io
account, or the whole location for other layouts (--by chooses). A gap is a complete hour (or day,
for daily streams) in the window with no object; the current hour, and hours that ended less than
--max-lag ago (one hour without it), are never gaps. Exit 6 when a stream is late or has a gap.

Examples:
  archive freshness cloudflare:http_requests/ --max-lag 15m                 # every 5 min from cron
  archive freshness vespa: --kind access --max-lag 2h -o prometheus > /var/lib/node_exporter/archive.prom.$$
  archive freshness amplitude: --window 3d --max-lag 3h --json | jq '.streams[] | select(.verdict != "ok")'
  archive freshness s3://my-logzio-archive/ --layout logzio --max-lag 2h --allow-gaps`,
    )
    .action(async (location: string, flags: FreshnessFlags, command: Command) =>
      runFreshness(location, { ...flags, verbose: (command.optsWithGlobals() as { verbose?: boolean }).verbose }, io),
    );
}
