/**
 * `archive list`: registration only. The run (src/commands/list-run.ts) loads when the command
 * runs, so `archive --help` and the other commands do not pay for the listing modules.
 */
import { Option, type Command } from 'commander';
import { addFilterOptions, addRequestPayerOption, addTargetOptions, giveBackOptionalValue } from './options.js';
import type { ListFlags } from './list-run.js';
import { addFollowOptions, type FollowFlags } from './follow-options.js';
import type { Io } from '../io.js';

const HISTOGRAM_BUCKETS = ['hour', 'day'] as const;

export function registerList(program: Command, io: Io): void {
  const cmd = program
    .command('list')
    .alias('ls')
    .description('list archive objects under a location (no location: list containers/buckets)')
    .argument('[location]', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (SAS ok), s3://BUCKET/PREFIX or PROFILE:PREFIX');
  addTargetOptions(cmd);
  addRequestPayerOption(cmd);
  addFilterOptions(cmd)
    .option('-l, --long', 'also show last-modified time, ETag and tier (access tier or storage class, and any rehydration/restore)')
    .option('--totals', 'print the count/bytes summary even when not on a terminal (to stderr)')
    .addOption(new Option('-o, --output <format>', 'table (default), json, ndjson or csv').choices(['table', 'json', 'ndjson', 'csv']))
    .option('--json', 'same as -o json: one JSON document {objects:[…],count,bytes,scanned,requests} (streamed)')
    .option('--ndjson', 'same as -o ndjson: one JSON object per line')
    .option('--csv', 'same as -o csv: key,size,lastModified,time,timeSource,kind,host,etag,tier')
    .addOption(
      new Option('--sort <by>', 'order by time, key or size (largest first); reads the whole listing first').choices([
        'time',
        'key',
        'size',
      ]),
    )
    .option('--limit <n>', 'stop after N objects (after --sort: the first N of the sorted listing)')
    .option('--summary', 'objects and bytes per kind, per host, per day and per tier (bar charts; --json for scripts)')
    .option('--histogram [bucket]', 'objects per hour or day across the window, empty ones marked (hour|day; default by span)')
    .option('--urls', 'print object URLs, one a line (https, every special byte percent-encoded; no secret)')
    .option('--paths', 'print keys relative to the location, one a line, for rclone --files-from-raw / azcopy --list-of-files')
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
  archive list amplitude:exports/ --since 3d --long
  archive list vespa: --since 2d --histogram            # a missing hour of export shows as a gap
  archive list cloudflare: --summary --json
  archive list vespa: --kind heapdump --sort size --limit 5
  archive list cloudflare:http_requests/ --follow -o ndjson        # each new object as it lands`,
    )
    .action(async (given: string | undefined, flags: ListFlags, command: Command) => {
      // `list --histogram LOCATION`: the location is not the bucket size.
      const back = giveBackOptionalValue(command, '--histogram', flags.histogram, HISTOGRAM_BUCKETS, [given]);
      const location = back.positionals[0];
      flags = { ...flags, histogram: back.value as ListFlags['histogram'] };
      if (!location) return (await import('./containers.js')).runContainers(undefined, flags, io);
      const f = flags as ListFlags & FollowFlags;
      if (f.follow || f.interval !== undefined || f.lateness !== undefined)
        return (await import('./follow-run.js')).runListFollow(
          location,
          { ...f, verbose: flags.verbose ?? (command.optsWithGlobals() as { verbose?: boolean }).verbose },
          io,
        );
      return (await import('./list-run.js')).runList(
        location,
        { ...flags, verbose: flags.verbose ?? (command.optsWithGlobals() as { verbose?: boolean }).verbose },
        io,
      );
    });
  addFollowOptions(cmd);
}
