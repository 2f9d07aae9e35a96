import { Option, type Command } from 'commander';
import { addTargetOptions, accountTargetFor, targetFor, type TargetFlags } from './options.js';
import { AuthError, UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { stdoutColor } from '../output/color.js';
import { parseSas } from '../sas/parse.js';
import { inspectSas, renderSas, sasJson, iso, describeLeft, SAS_PURPOSES, type SasPurpose } from '../sas/inspect.js';
import { planSas, containerUrl, cloudflareDestination, SAS_FORMATS, PRESETS, type SasCreateFlags, type SasFormat } from '../sas/create.js';
import { formatDuration } from '../time.js';

interface InspectFlags {
  warnDays: string;
  for?: string;
  json?: boolean;
}

function purposeOf(v: string | undefined): SasPurpose | undefined {
  if (v === undefined) return undefined;
  if (!(SAS_PURPOSES as readonly string[]).includes(v)) throw new UsageError(`--for: unknown purpose "${v}"`, { hint: `use ${SAS_PURPOSES.join(' or ')}` });
  return v as SasPurpose;
}

async function readInput(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  if (process.stdin.isTTY) throw new UsageError('give a SAS URL or token (or - to read it from stdin)', { hint: "quote it: archive sas inspect 'https://…?sv=…&sig=…'" });
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function runInspect(arg: string | undefined, flags: InspectFlags): Promise<void> {
  const input = await readInput(arg);
  const warnDays = Number(flags.warnDays);
  if (!Number.isFinite(warnDays) || warnDays < 0) throw new UsageError(`--warn-days: "${flags.warnDays}" is not a number of days`, { hint: 'e.g. --warn-days 30' });
  const sig = /(?:^|[?&;])sig=([^&;\s]+)/i.exec(input)?.[1];
  if (sig) {
    registerSecret(sig);
    try {
      registerSecret(decodeURIComponent(sig));
    } catch {
      /* keep the raw form registered */
    }
  }
  const report = inspectSas(parseSas(input), { warnDays, purpose: purposeOf(flags.for) });
  const c = stdoutColor();
  if (flags.json) process.stdout.write(JSON.stringify(sasJson(report), null, 2) + '\n');
  else {
    const lines = renderSas(report);
    if (report.warnings.length) {
      lines.push('warnings:');
      for (const w of report.warnings) lines.push(`  ${c.yellow('!')} ${w.message}`);
    } else lines.push(c.green('no warnings'));
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (report.expired) {
    throw new AuthError(`the SAS expired ${formatDuration(-(report.msLeft ?? 0))} ago (${iso(report.info.expiry)})`, {
      serviceCode: 'SasExpired',
      hint: 'ask the issuer for a new token, or create one with `archive sas create`',
    });
  }
}

interface CreateFlags extends TargetFlags, SasCreateFlags {
  format: string;
}

export async function runCreate(location: string | undefined, flags: CreateFlags): Promise<void> {
  if (!(SAS_FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format: unknown format "${flags.format}"`, { hint: `use ${SAS_FORMATS.join(', ')}` });
  if (flags.sas) throw new UsageError('--sas cannot sign a new SAS', { hint: 'sign with the account key or an Entra ID identity (profile or environment)' });
  const target = location ? await targetFor(location, flags) : await accountTargetFor(undefined, flags);
  if (target.provider !== 'azure') throw new UsageError('SAS tokens are an Azure Storage feature', { hint: 'for S3, share a pre-signed URL or an IAM role instead' });
  const plan = planSas(target, flags);
  const { signContainerSas } = await import('../providers/azure-sas.js');
  const token = await signContainerSas(target, plan);
  const format = flags.format as SasFormat;
  const url = containerUrl(plan, token);
  // The token is what the user asked for: stdout gets it verbatim (never through redact()).
  if (format === 'url') process.stdout.write(url + '\n');
  else if (format === 'token') process.stdout.write(token + '\n');
  else if (format === 'cloudflare') process.stdout.write(cloudflareDestination(plan, token) + '\n');
  else {
    process.stdout.write(
      JSON.stringify(
        {
          url,
          token,
          cloudflare: cloudflareDestination(plan, token),
          kind: plan.signing === 'service' ? 'service' : 'user-delegation',
          account: plan.account,
          container: plan.container,
          permissions: plan.permissions,
          start: plan.start.toISOString(),
          expiry: plan.expiry.toISOString(),
          ip: plan.ip,
          protocol: plan.protocol,
          preset: plan.purpose,
        },
        null,
        2,
      ) + '\n',
    );
  }
  const report = inspectSas(parseSas(token), { purpose: plan.purpose });
  const kind = plan.signing === 'service' ? 'service SAS (account key)' : 'user-delegation SAS (Entra ID)';
  process.stderr.write(`created a ${kind} for az://${plan.account}/${plan.container}: ${plan.permissions}, expires ${iso(plan.expiry)} (${describeLeft(report)})\n`);
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
  if (plan.purpose === 'logpush' && format !== 'cloudflare') process.stderr.write('note: Cloudflare takes the destination as azure://CONTAINER/PATH?SAS: use --format cloudflare\n');
}

export function registerSas(program: Command): void {
  const sas = program.command('sas').description('inspect and create Azure SAS tokens');

  sas
    .command('inspect')
    .description('explain a SAS URL or token: permissions, scope, start/expiry and time left, IP range, protocol; warn when expired, expiring or broader than needed')
    .argument('[sas]', 'SAS URL, ?sv=… token, azure://CONTAINER?… destination or connection string (- or nothing: read stdin)')
    .addOption(new Option('--warn-days <days>', 'warn when the token expires within this many days').default('30'))
    .option('--for <purpose>', `check it against a job: ${SAS_PURPOSES.join(', ')}`)
    .option('--json', 'print the analysis as JSON (the signature is never included)')
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
    .action(async (arg: string | undefined, flags: InspectFlags) => runInspect(arg, flags));

  const create = sas
    .command('create')
    .description('create a container SAS: a service SAS from the account key, or a user-delegation SAS from an Entra ID identity')
    .argument('[location]', 'az://ACCOUNT/CONTAINER[/PATH], a blob URL or PROFILE:[CONTAINER] whose credential signs (default: the default profile)');
  addTargetOptions(create)
    .option('--for <preset>', `preset: ${SAS_PURPOSES.map((p) => `${p} (${PRESETS[p].describe})`).join('; ')}`)
    .option('--permissions <letters>', 'permission letters, e.g. rl (read+list), w (write), racwdl; overrides the preset')
    .option('--expires <when>', 'expiry: a duration (30d, 1y, 5y) or an ISO date; overrides the preset (default 7d)')
    .option('--start <when>', 'start time (default: 15 minutes ago, for clock skew)')
    .option('--container <name>', 'container to scope the token to (default: the one in the location)')
    .option('--ip <range>', 'only from this IPv4 address or range (a.b.c.d or a.b.c.d-e.f.g.h)')
    .option('--allow-http', 'allow plain http as well as https (default: https only; emulator endpoints always allow http)')
    .addOption(new Option('--format <format>', `output: ${SAS_FORMATS.join(', ')} (cloudflare = azure://CONTAINER/PATH?SAS for Logpush)`).default('url'))
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
    .action(async (location: string | undefined, flags: CreateFlags) => runCreate(location, flags));
}
