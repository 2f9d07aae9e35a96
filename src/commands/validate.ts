import { Option, type Command } from 'commander';
import { addRequestPayerOption, addTargetOptions } from './options.js';
import { PROBE_NAMES } from '../validate/names.js';
import type { ValidateFlags } from './validate-run.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerValidate(program: Command, io: Io): void {
  const cmd = program
    .command('validate')
    .description(
      'probe what a credential can really do at a location: list, read, write, delete (+ markers, Cloudflare challenge, SAS expiry)',
    )
    .argument(
      '[location]',
      'az://ACCOUNT/CONTAINER/PREFIX, blob URL (SAS ok), s3://BUCKET/PREFIX or PROFILE:PREFIX (default: the default profile)',
    );
  addTargetOptions(cmd);
  addRequestPayerOption(cmd)
    .option(
      '--require <probes>',
      `probes that must pass for exit 0, comma-separated: ${PROBE_NAMES.join(', ')}, all (default: every probe that runs)`,
    )
    .option('--no-write', 'read-only check: skip the write and delete probes')
    .option('--read <key>', 'object to read (relative to the prefix; default: the first one listed)')
    .option('--marker <name>', 'an object that must exist, relative to the prefix, e.g. logzio-verified (repeatable)', collect)
    .option(
      '--challenge [file]',
      "require Cloudflare's ownership-challenge-*.txt (searched for under the whole prefix, or the named file); without it, one directly under the location is found and its token printed anyway",
    )
    .addOption(
      new Option('--probe-prefix <prefix>', 'where the probe object is written, under the location prefix').default('.archive-validate/'),
    )
    .addOption(new Option('--warn-days <days>', 'warn when a SAS expires within this many days').default('30'))
    .addOption(new Option('-o, --output <format>', 'output format: table, json or ndjson').choices(['table', 'json', 'ndjson']))
    .option('--json', 'print the report as JSON, for CI (same as -o json)')
    .addHelpText(
      'after',
      `
The last line is the verdict: "verdict: ready: list, read, write, delete ok" or "verdict: NOT
ready: write denied (AuthorizationPermissionMismatch)" (\`verdict\` in JSON).
Exit codes: 0 every required probe passed · 2 usage error · 3 a required probe was denied
(permission, signature, expired SAS) · 4 the container/bucket, a marker or an object to read does
not exist · 1 anything else (network). Without --require, every probe that ran is required (a
challenge found without --challenge is reported, not required).
The probe object (PREFIX/.archive-validate/<random>/probe.txt) is always removed; when the
credential may not delete, the report names it as left behind.

Examples:
  archive validate "https://acct.blob.core.windows.net/logpush?sv=…&sig=…" --require write
  archive validate vespa: --no-write --require list,read
  archive validate s3://my-logzio-archive --marker logzio-verified --json
  archive validate az://acct/cf-logs/http_requests          # prints Cloudflare's ownership token when there is one`,
    )
    .action(async (location: string | undefined, flags: ValidateFlags) =>
      (await import('./validate-run.js')).runValidate(location, flags, io),
    );
}
