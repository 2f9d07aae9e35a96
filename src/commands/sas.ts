import { Option, type Command } from 'commander';
import { addTargetOptions } from './options.js';
import { PRESET_DESCRIPTIONS, SAS_FORMATS, SAS_PURPOSES } from '../sas/names.js';
import type { CreateFlags, InspectFlags } from './sas-run.js';
import type { Io } from '../io.js';

export function registerSas(program: Command, io: Io): void {
  const sas = program.command('sas').description('inspect and create Azure SAS tokens');
  sas.addHelpText(
    'after',
    `
Examples:
  archive sas inspect 'https://acct.blob.core.windows.net/logs?sv=…&sig=…'
  AZURE_STORAGE_KEY=… archive sas create az://acct/cf-logs --for logpush --format cloudflare
  archive sas create myprofile: --for reader --expires 2d`,
  );

  sas
    .command('inspect')
    .description(
      'explain a SAS URL or token: permissions, scope, start/expiry and time left, IP range, protocol; warn when expired, expiring or broader than needed',
    )
    .argument('[sas]', 'SAS URL, ?sv=… token, azure://CONTAINER?… destination or connection string (- or nothing: read stdin)')
    .option(
      '--warn-days <days>',
      'warn when the token expires within this many days (default: 30, or the last fifth of a shorter lifetime)',
    )
    .option('--for <purpose>', `check it against a job: ${SAS_PURPOSES.join(', ')}`)
    .addOption(
      new Option('-o, --output <format>', 'table (default), json or ndjson (one line); the signature is never included').choices([
        'table',
        'json',
        'ndjson',
      ]),
    )
    .option('--json', 'same as -o json: the analysis as JSON (the signature is never included)')
    .addHelpText(
      'after',
      `
Exit codes: 0 readable (warnings allowed) · 2 not a SAS / malformed · 3 expired.
The signature (sig=) is never printed.

Examples:
  archive sas inspect 'https://acct.blob.core.windows.net/logs?sv=…&sig=…'
  pbpaste | archive sas inspect --for logpush
  archive sas inspect "$VESPA_SAS_URL" --warn-days 60 --json | jq .secondsLeft`,
    )
    .action(async (arg: string | undefined, flags: InspectFlags) => (await import('./sas-run.js')).runInspect(arg, flags, io));

  const create = sas
    .command('create')
    .description('create a container SAS: a service SAS from the account key, or a user-delegation SAS from an Entra ID identity')
    .argument(
      '[location]',
      'az://ACCOUNT/CONTAINER[/PATH], a blob URL or PROFILE:[CONTAINER] whose credential signs (default: the default profile)',
    );
  addTargetOptions(create)
    .option('--for <preset>', `preset: ${SAS_PURPOSES.map((p) => `${p} (${PRESET_DESCRIPTIONS[p]})`).join('; ')}`)
    .option('--permissions <letters>', 'permission letters, e.g. rl (read+list), w (write), racwdl; overrides the preset')
    .option('--expires <when>', 'expiry: a duration (30d, 1y, 5y) or an ISO date; overrides the preset (default 7d)')
    .option('--start <when>', 'start time (default: 15 minutes ago, for clock skew)')
    .option('--container <name>', 'container to scope the token to (default: the one in the location)')
    .option('--ip <range>', 'only from this IPv4 address or range (a.b.c.d or a.b.c.d-e.f.g.h)')
    .option('--allow-http', 'allow plain http as well as https (default: https only; emulator endpoints always allow http)')
    .addOption(
      new Option('--format <format>', `output: ${SAS_FORMATS.join(', ')} (cloudflare = azure://CONTAINER/PATH?SAS for Logpush)`).default(
        'url',
      ),
    )
    .addHelpText(
      'after',
      `
The token is printed on stdout (and nowhere else); a summary goes to stderr.
A user-delegation SAS (signed with a service principal, device-code or default credential) lasts
at most 7 days, so --for logpush needs the account key (AZURE_STORAGE_KEY, a connection string or
a \`--auth key\` profile).

Examples:
  AZURE_STORAGE_KEY=… archive sas create az://acct/cf-logs/http_requests --for logpush --format cloudflare
  archive sas create myprofile: --for reader --expires 2d
  archive sas create az://acct/exports --permissions rl --ip 203.0.113.7 --expires 12h`,
    )
    .action(async (location: string | undefined, flags: CreateFlags) => (await import('./sas-run.js')).runCreate(location, flags, io));
}
