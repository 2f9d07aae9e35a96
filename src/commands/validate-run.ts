/**
 * `archive validate` run: resolve, probe, render (table, JSON or NDJSON), verdict, exit code. The
 * heavy half of commands/validate.ts, loaded on first use. Everything outside the arguments comes
 * through `io`: the environment for credentials and profiles, the streams, the provider.
 */
import { open, type TargetFlags } from './options.js';
import type { Io } from '../io.js';
import { AuthError, ArchiveError, ExitCode, InterruptedError, NotFoundError, UsageError } from '../errors.js';
import { formatLocation, parseLocation } from '../location.js';
import { resolveOutputFormat, type OutputFlags, type OutputFormat } from '../output/output-format.js';
import { LineWriter } from '../output/writer.js';
import { describeLeft, iso, sasJson } from '../sas/inspect.js';
import { resolveAccountTarget, resolveTarget, type Target } from '../target.js';
import { loadProfileSource } from '../profile-source.js';
import {
  exitCodeFor,
  requiredFailures,
  requiredNames,
  runProbes,
  verdict,
  type ProbeName,
  type ProbeResult,
  type ValidateReport,
} from '../validate/probes.js';
import { PROBE_NAMES } from '../validate/names.js';
import { stdoutColor } from '../output/color.js';
import { escapeText } from '../output/escape.js';
import { fitLine, fitWidths, renderHeader, renderRow, type Column } from '../output/table.js';
import { stdoutColumns, stdoutIsTTY } from '../output/terminal.js';
import type { ChalkInstance } from 'chalk';

export interface ValidateFlags extends TargetFlags, OutputFlags {
  require?: string;
  write: boolean;
  read?: string;
  marker?: string[];
  challenge?: string | boolean;
  probePrefix: string;
  warnDays?: string;
}

export function parseRequire(text: string | undefined, flags: ValidateFlags): ProbeName[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!names.length) throw new UsageError('--require: no probe named', { hint: `name probes from ${PROBE_NAMES.join(', ')}` });
  const out: ProbeName[] = [];
  for (const n of names) {
    if (n === 'all') {
      out.push('list', 'read', ...(flags.write ? (['write', 'delete'] as const) : []));
      continue;
    }
    if (!(PROBE_NAMES as readonly string[]).includes(n))
      throw new UsageError(`--require: unknown probe "${n}"`, { hint: `probes: ${PROBE_NAMES.join(', ')} (or all)` });
    if ((n === 'write' || n === 'delete') && !flags.write)
      throw new UsageError(`--require ${n} contradicts --no-write`, { hint: 'drop one of them' });
    if (n === 'marker' && !flags.marker?.length)
      throw new UsageError('--require marker needs --marker NAME', { hint: 'e.g. --marker logzio-verified' });
    if (n === 'challenge' && flags.challenge === undefined)
      throw new UsageError('--require challenge needs --challenge', { hint: 'add --challenge (or --challenge FILE)' });
    out.push(n as ProbeName);
  }
  return [...new Set(out)];
}

type Color = ChalkInstance;

function mark(r: ProbeResult, c: Color): string {
  return r.status === 'ok' ? c.green('✓') : r.status === 'fail' ? c.red('✗') : c.dim('–');
}

/**
 * The table a person reads: every string from outside (keys, service codes and messages, the SAS's
 * fields, the challenge token) escaped (output/escape.ts); on a terminal every line fits its width
 * (the DETAIL column is cut visibly; -o json has every word of it).
 */
function render(
  report: ValidateReport,
  required: ProbeName[] | undefined,
  verdictText: string,
  c: Color,
  width: number | undefined,
): string[] {
  const lines: string[] = [];
  let head = `validate ${escapeText(report.location)} with ${report.auth}`;
  if (report.sas?.info.expiry)
    head += ` (SAS ${escapeText(report.sas.info.permissions || '?')}, expires ${iso(report.sas.info.expiry)}, ${describeLeft(report.sas)})`;
  lines.push(head);
  const rows = report.probes.map((r) => [
    escapeText(r.label) + (required?.includes(r.name) ? '*' : ''),
    mark(r, c),
    escapeText(r.code ?? ''),
    escapeText(r.status === 'fail' ? `${r.hint ?? r.detail}` : r.detail),
  ]);
  if (report.sas) {
    const s = report.sas;
    const bad = s.expired || s.notYetValid;
    const warn = s.warnings.filter((w) => w.code !== 'expired');
    rows.push([
      'sas expiry',
      bad ? c.red('✗') : warn.some((w) => w.code === 'expiring') ? c.yellow('!') : c.green('✓'),
      bad ? (s.expired ? 'SasExpired' : 'SasNotYetValid') : '',
      s.info.expiry ? `${iso(s.info.expiry)} (${describeLeft(s)})` : describeLeft(s),
    ]);
  }
  const cols: Column[] = [
    { header: 'PROBE' },
    { header: 'OK' },
    { header: 'CODE', shrink: 'end', min: 12 },
    { header: 'DETAIL', shrink: 'end', min: 20 },
  ];
  const widths = fitWidths(cols, rows, width);
  lines.push(c.bold(renderHeader(cols, widths)));
  for (const r of rows) lines.push(renderRow(cols, widths, r));
  if (report.sas)
    for (const w of report.sas.warnings.filter((x) => x.code !== 'expired' && x.code !== 'expiring'))
      lines.push(`${c.yellow('warning:')} SAS ${escapeText(w.message)}`);
  for (const k of report.leftovers)
    lines.push(`${c.yellow('left behind:')} ${escapeText(k)} (this credential may not delete; remove it with one that may)`);
  if (report.challenge) lines.push(`challenge token: ${escapeText(report.challenge.token)}`);
  if (required) lines.push(c.dim(`* required (--require ${required.join(',')})`));
  // Last, always: the line a person (or `tail -1`) reads first.
  lines.push(`${c.bold('verdict:')} ${escapeText(verdictText)}`);
  return width === undefined ? lines : lines.map((l) => fitLine(l, width));
}

function probeJson(p: ProbeResult) {
  return {
    probe: p.label,
    name: p.name,
    status: p.status,
    ok: p.status === 'ok',
    code: p.code,
    detail: p.detail,
    hint: p.hint,
    key: p.key,
    ms: p.ms,
  };
}

function toJson(report: ValidateReport, required: ProbeName[] | undefined, failures: ProbeResult[], verdictText: string) {
  return {
    location: report.location,
    provider: report.provider,
    auth: report.auth,
    ok: failures.length === 0,
    exitCode: exitCodeFor(failures),
    required: required ?? requiredNames(report, undefined),
    probes: report.probes.map(probeJson),
    sas: report.sas ? sasJson(report.sas) : undefined,
    challenge: report.challenge,
    leftovers: report.leftovers,
    verdict: verdictText,
  };
}

/** NDJSON: one line per probe, then one line with everything else (the verdict included). */
function toNdjson(report: ValidateReport, required: ProbeName[] | undefined, failures: ProbeResult[], verdictText: string): string[] {
  const { probes, ...rest } = toJson(report, required, failures, verdictText);
  return [...probes.map((p) => JSON.stringify({ type: 'probe', ...p })), JSON.stringify({ type: 'result', ...rest })];
}

async function print(io: Io, format: OutputFormat, report: ValidateReport, required: ProbeName[] | undefined, failures: ProbeResult[]) {
  const text = verdict(report, required, failures);
  const out = new LineWriter(io.stdout);
  const lines =
    format === 'json'
      ? [JSON.stringify(toJson(report, required, failures, text), null, 2)]
      : format === 'ndjson'
        ? toNdjson(report, required, failures, text)
        : render(report, required, text, stdoutColor(io), stdoutIsTTY(io) ? stdoutColumns(io) : undefined);
  for (const l of lines) await out.line(l);
  await out.flush();
}

async function resolve(location: string | undefined, flags: ValidateFlags, io: Io): Promise<{ target: Target; shown: string }> {
  const profiles = await loadProfileSource(io.env as NodeJS.ProcessEnv);
  if (location) {
    const target = await resolveTarget(location, flags, io.env as NodeJS.ProcessEnv, profiles);
    let shown: string;
    try {
      const loc = parseLocation(location);
      shown = loc.provider === 'profile' ? `${formatLocation(loc)} (${formatTarget(target)})` : formatTarget(target);
    } catch {
      shown = formatTarget(target);
    }
    return { target, shown };
  }
  const target = await resolveAccountTarget(undefined, flags, io.env as NodeJS.ProcessEnv, profiles);
  return { target, shown: `${target.profile ? `${target.profile}: (${formatTarget(target)})` : formatTarget(target)}` };
}

function formatTarget(t: Target): string {
  const pre = t.prefix ? `/${t.prefix}` : '';
  if (t.provider === 'gcs') return `gs://${t.bucket}${pre}`;
  return t.provider === 'azure' ? `az://${t.account}/${t.container}${pre}` : `s3://${t.bucket}${pre}`;
}

export async function runValidate(location: string | undefined, flags: ValidateFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags, ['table', 'json', 'ndjson']);
  const required = parseRequire(flags.require, flags);
  const warnDays = flags.warnDays === undefined ? undefined : Number(flags.warnDays);
  if (warnDays !== undefined && (!Number.isFinite(warnDays) || warnDays < 0 || flags.warnDays?.trim() === ''))
    throw new UsageError(`--warn-days: "${flags.warnDays}" is not a number of days`, { hint: 'e.g. --warn-days 30' });
  const { target, shown } = await resolve(location, flags, io);
  if ((target.provider === 'azure' ? target.container : target.bucket) === '') {
    throw new UsageError('validate needs a container or bucket in the location', {
      hint: 'use az://ACCOUNT/CONTAINER[/PREFIX], s3://BUCKET[/PREFIX] or PROFILE:[PREFIX]',
    });
  }
  const provider = await open(target, io);
  const signal = io.interrupt.signal();
  const report = await runProbes(provider, target, shown, {
    write: flags.write,
    readKey: flags.read,
    markers: flags.marker ?? [],
    challenge: flags.challenge === undefined || flags.challenge === false ? undefined : flags.challenge === true ? true : flags.challenge,
    probePrefix: flags.probePrefix,
    warnDays,
    now: io.now(),
    signal,
  }).catch((e) => {
    if (signal.aborted) throw new InterruptedError('validate interrupted (probe objects were cleaned up)');
    throw e;
  });
  const failures = requiredFailures(report, required);
  await print(io, format, report, required, failures);
  if (signal.aborted) throw new InterruptedError('validate interrupted');
  const code = exitCodeFor(failures);
  if (code === ExitCode.OK) return;
  const what = failures.map((f) => `${f.label}${f.code ? ` (${f.code})` : f.status === 'skip' ? ' (not checked)' : ''}`).join(', ');
  const first = failures.find((f) => f.exitCode === code) ?? failures[0];
  const message = `${required ? 'required ' : ''}probe${failures.length === 1 ? '' : 's'} failed: ${what}`;
  const details = { hint: first.hint ?? first.detail };
  if (code === ExitCode.AUTH) throw new AuthError(message, details);
  if (code === ExitCode.NOT_FOUND) throw new NotFoundError(message, details);
  throw new ArchiveError(message, details);
}
