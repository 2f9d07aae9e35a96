import type { Command } from 'commander';
import { addFilterOptions, addTargetOptions, targetFor, open, type TargetFlags } from './options.js';
import type { ListOptions, ListTotals } from '../listing.js';
import type { Entry } from '../filter.js';
import { formatBytes, formatTime, pad } from '../output/format.js';

interface ListFlags extends TargetFlags, ListOptions {
  long?: boolean;
  json?: boolean;
  ndjson?: boolean;
  totals?: boolean;
  urls?: boolean;
  explain?: boolean;
}

function row(e: Entry, long: boolean): string {
  const cols = [pad(formatTime(e.time), 19), pad(formatBytes(e.size), 10, true), pad(e.facts.kind ?? '', 10), pad(e.facts.host ?? '', 0)];
  if (long) cols.push(pad(formatTime(e.lastModified), 19), pad(e.etag ?? '', 34));
  // An ADLS Gen2 directory stub has no trailing slash of its own; show it as the folder it is.
  cols.push(e.isFolder && !e.key.endsWith('/') ? e.key + '/' : e.key);
  return cols.filter((c, i) => i !== 3 || c !== '').join('  ');
}

export async function runList(location: string, flags: ListFlags): Promise<void> {
  // Loaded here, not at the top, so `archive --help` does not pay for them.
  const [{ listEntries, entryToJson }, { LineWriter }, { stdoutColor }, { planPrinter }] = await Promise.all([
    import('../listing.js'),
    import('../output/writer.js'),
    import('../output/color.js'),
    import('../listing/explain.js'),
  ]);
  const target = await targetFor(location, flags);
  const provider = await open(target);
  const out = new LineWriter();
  const c = stdoutColor();
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  const urlOf = flags.urls ? (await import('../query/object-urls.js')).objectUrl : undefined;
  const human = !flags.json && !flags.ndjson && !urlOf;
  if (flags.json) await out.line('{"objects":[');
  let first = true;
  const plan = flags.explain || flags.verbose ? planPrinter((l) => process.stderr.write(`${l}\n`)) : undefined;
  for await (const e of listEntries(provider, target.prefix, { ...flags, layout: flags.layout ?? target.layout, folders: !urlOf, onPlan: plan?.onPlan }, totals)) {
    if (urlOf) await out.line(urlOf(target, e.key));
    else if (flags.json) await out.line(`${first ? '' : ','}${JSON.stringify(entryToJson(e))}`);
    else if (flags.ndjson) await out.line(JSON.stringify(entryToJson(e)));
    else {
      if (first && process.stdout.isTTY) {
        const head = ['TIME (UTC)'.padEnd(19), 'SIZE'.padStart(10), 'KIND'.padEnd(10)];
        if (flags.long) head.push('MODIFIED'.padEnd(19), 'ETAG'.padEnd(34));
        head.push('HOST/KEY');
        await out.line(c.bold(head.join('  ')));
      }
      await out.line(row(e, !!flags.long));
    }
    first = false;
  }
  if (flags.json) await out.line(`],"count":${totals.count},"bytes":${totals.bytes},"scanned":${totals.scanned},"requests":${totals.requests ?? null}}`);
  await out.flush();
  plan?.end(totals);
  if (human && (flags.totals || process.stdout.isTTY)) {
    const filtered = totals.scanned !== totals.count ? ` (of ${totals.scanned} scanned)` : '';
    const line = `${totals.count} object${totals.count === 1 ? '' : 's'}, ${formatBytes(totals.bytes)}${filtered}`;
    if (process.stdout.isTTY) process.stdout.write(c.dim(line) + '\n');
    else process.stderr.write(line + '\n');
  }
}

export function registerList(program: Command): void {
  const cmd = program
    .command('list')
    .alias('ls')
    .description('list archive objects under a location (no location: list containers/buckets)')
    .argument('[location]', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (SAS ok), s3://BUCKET/PREFIX or PROFILE:PREFIX');
  addTargetOptions(cmd);
  addFilterOptions(cmd)
    .option('-l, --long', 'also show last-modified time and ETag')
    .option('--totals', 'print the count/bytes summary even when not on a terminal (to stderr)')
    .option('--json', 'print one JSON document {objects:[…],count,bytes} (streamed)')
    .option('--ndjson', 'print one JSON object per line')
    .option('--urls', 'print full object URLs, one a line (no secret), for rclone --files-from / azcopy --list-of-files')
    .option('--no-prune', 'read every key under the location even with --since/--until (same answer, full cost)')
    .option('--explain', 'print the listing plan (folders listed, walked, skipped) and the LIST requests made, to stderr')
    .addHelpText(
      'after',
      `
Time filters use the time in the key when a vendor layout recognises it, else last-modified.
A time folder (20260105/, 2026/01/05/, year=2026/month=01/, dt=2026-01-05/, …) bounds the time of
everything below it, so --since/--until skip whole folders; --no-prune reads everything instead.

Examples:
  archive list "https://acct.blob.core.windows.net/vespa-logs?sv=…&sig=…" --kind access --since 2h
  archive list az://acct/logpush/http_requests/ --since 2026-01-05 --until 2026-01-06
  archive list s3://my-logzio-archive/ --layout logzio --ndjson | jq .key
  archive list amplitude:exports/ --since 3d --long`,
    )
    .action(async (location: string | undefined, flags: ListFlags, command: Command) => {
      if (!location) return (await import('./containers.js')).runContainers(undefined, flags);
      return runList(location, { ...flags, verbose: flags.verbose ?? (command.optsWithGlobals() as { verbose?: boolean }).verbose });
    });
}
