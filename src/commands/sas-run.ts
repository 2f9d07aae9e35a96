/**
 * `archive sas inspect|create` runs (the heavy half of commands/sas.ts, loaded on first use).
 */
import { accountTargetFor, targetFor, type TargetFlags } from './options.js';
import { AuthError, UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { stdoutColor } from '../output/color.js';
import { escapeText } from '../output/escape.js';
import { parseSas } from '../sas/parse.js';
import { inspectSas, renderSas, sasJson, iso, describeLeft } from '../sas/inspect.js';
import { SAS_PURPOSES, SAS_FORMATS, type SasPurpose, type SasFormat } from '../sas/names.js';
import { planSas, containerUrl, cloudflareDestination, type SasCreateFlags } from '../sas/create.js';
import { formatDuration } from '../time.js';
import type { Io } from '../io.js';
import { resolveOutputFormat, type OutputFlags } from '../output/output-format.js';

export interface InspectFlags extends OutputFlags {
  warnDays?: string;
  for?: string;
}

/** table: the report for a person; json: the analysis, indented; ndjson: the same on one line. */
export const INSPECT_FORMATS = ['table', 'json', 'ndjson'] as const;

function purposeOf(v: string | undefined): SasPurpose | undefined {
  if (v === undefined) return undefined;
  if (!(SAS_PURPOSES as readonly string[]).includes(v))
    throw new UsageError(`--for: unknown purpose "${v}"`, { hint: `use ${SAS_PURPOSES.join(' or ')}` });
  return v as SasPurpose;
}

async function readInput(arg: string | undefined, stdin: Io['stdin']): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  if (stdin.isTTY)
    throw new UsageError('give a SAS URL or token (or - to read it from stdin)', {
      hint: "quote it: archive sas inspect 'https://…?sv=…&sig=…'",
    });
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function runInspect(arg: string | undefined, flags: InspectFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags, INSPECT_FORMATS);
  const input = await readInput(arg, io.stdin);
  const warnDays = flags.warnDays === undefined ? undefined : Number(flags.warnDays);
  if (warnDays !== undefined && (!Number.isFinite(warnDays) || warnDays < 0 || flags.warnDays?.trim() === ''))
    throw new UsageError(`--warn-days: "${flags.warnDays}" is not a number of days`, { hint: 'e.g. --warn-days 30' });
  const sig = /(?:^|[?&;])sig=([^&;\s]+)/i.exec(input)?.[1];
  if (sig) {
    registerSecret(sig);
    try {
      registerSecret(decodeURIComponent(sig));
    } catch {
      /* keep the raw form registered */
    }
  }
  const report = inspectSas(parseSas(input), { warnDays, purpose: purposeOf(flags.for), now: io.now() });
  const c = stdoutColor(io);
  if (format === 'json') io.stdout.write(`${JSON.stringify(sasJson(report), null, 2)}\n`);
  else if (format === 'ndjson') io.stdout.write(`${JSON.stringify(sasJson(report))}\n`);
  else {
    const lines = renderSas(report);
    if (report.warnings.length) {
      lines.push('warnings:');
      for (const w of report.warnings) lines.push(`  ${c.yellow('!')} ${escapeText(w.message)}`);
    } else lines.push(c.green('no warnings'));
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (report.expired) {
    throw new AuthError(`the SAS expired ${formatDuration(-(report.msLeft ?? 0))} ago (${iso(report.info.expiry)})`, {
      serviceCode: 'SasExpired',
      hint: 'ask the issuer for a new token, or create one with `archive sas create`',
    });
  }
}

export interface CreateFlags extends TargetFlags, SasCreateFlags {
  format: string;
}

export async function runCreate(location: string | undefined, flags: CreateFlags, io: Io): Promise<void> {
  if (!(SAS_FORMATS as readonly string[]).includes(flags.format))
    throw new UsageError(`--format: unknown format "${flags.format}"`, { hint: `use ${SAS_FORMATS.join(', ')}` });
  if (flags.sas)
    throw new UsageError('--sas cannot sign a new SAS', {
      hint: 'sign with the account key or an Entra ID identity (profile or environment)',
    });
  const target = location ? await targetFor(location, flags, io) : await accountTargetFor(undefined, flags, io);
  if (target.provider !== 'azure')
    throw new UsageError('SAS tokens are an Azure Storage feature', { hint: 'for S3, share a pre-signed URL or an IAM role instead' });
  const plan = planSas(target, flags, io.now());
  const { signContainerSas } = await import('../providers/azure-sas.js');
  const token = await signContainerSas(target, plan);
  const format = flags.format as SasFormat;
  const url = containerUrl(plan, token);
  // The token is what the user asked for: stdout gets it verbatim (never through redact()).
  if (format === 'url') io.stdout.write(`${url}\n`);
  else if (format === 'token') io.stdout.write(`${token}\n`);
  else if (format === 'cloudflare') io.stdout.write(`${cloudflareDestination(plan, token)}\n`);
  else {
    io.stdout.write(
      `${JSON.stringify(
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
      )}\n`,
    );
  }
  const report = inspectSas(parseSas(token), { purpose: plan.purpose, now: io.now() });
  const kind = plan.signing === 'service' ? 'service SAS (account key)' : 'user-delegation SAS (Entra ID)';
  io.stderr.write(
    `created a ${kind} for az://${plan.account}/${plan.container}: ${plan.permissions}, expires ${iso(plan.expiry)} (${describeLeft(report)})\n`,
  );
  for (const n of plan.notes) io.stderr.write(`note: ${n}\n`);
  if (plan.purpose === 'logpush' && format !== 'cloudflare')
    io.stderr.write('note: Cloudflare takes the destination as azure://CONTAINER/PATH?SAS: use --format cloudflare\n');
}
