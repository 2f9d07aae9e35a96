/**
 * What a validate run comes to: which probes decide the exit code, the exit code, and the one-line
 * verdict every run ends with (the last line of the table, `verdict` in JSON).
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { ProbeName } from './names.js';
import type { ProbeResult, ValidateReport } from './types.js';

/** The probes that decide: the --require list, else every probe that ran and was not merely found (an unasked challenge). */
export function requiredNames(report: ValidateReport, require: ProbeName[] | undefined): ProbeName[] {
  return require ?? [...new Set(report.probes.filter((p) => p.status !== 'skip' && !p.optional).map((p) => p.name))];
}

/**
 * The failures among the probes that decide: with --require, its probes that did not pass
 * (skipped counts as failed); else every probe that failed, an unasked challenge aside.
 */
export function requiredFailures(report: ValidateReport, require: ProbeName[] | undefined): ProbeResult[] {
  return report.probes.filter((r) => (require ? require.includes(r.name) && r.status !== 'ok' : r.status === 'fail' && !r.optional));
}

export function exitCodeFor(failures: ProbeResult[]): ExitCodeValue {
  if (!failures.length) return ExitCode.OK;
  if (failures.some((f) => f.exitCode === ExitCode.AUTH)) return ExitCode.AUTH;
  if (failures.some((f) => f.exitCode === ExitCode.NOT_FOUND)) return ExitCode.NOT_FOUND;
  return ExitCode.UNEXPECTED;
}

function why(f: ProbeResult): string {
  if (f.status === 'skip') return 'not checked';
  const what = f.exitCode === ExitCode.AUTH ? 'denied' : f.exitCode === ExitCode.NOT_FOUND ? 'not found' : 'failed';
  return f.code ? `${what} (${f.code})` : what;
}

/**
 * Who the location is evidently ready for: a Cloudflare Logpush destination when its ownership
 * challenge is there and this credential could write (Logpush only writes); a Logz.io archive when
 * Logz.io's marker is there.
 */
function purpose(report: ValidateReport): string | undefined {
  const ok = (label: string) => report.probes.some((p) => p.label === label && p.status === 'ok');
  if (report.challenge && ok('write')) return 'Cloudflare Logpush';
  if (ok('marker logzio-verified')) return 'Logz.io';
  return undefined;
}

/**
 * One line: `ready[ for VENDOR]: list, read, write, delete ok` (the probes that decided, in probe
 * order), or `NOT ready: write denied (AuthorizationPermissionMismatch), …` (the failures).
 */
export function verdict(report: ValidateReport, require: ProbeName[] | undefined, failures: ProbeResult[]): string {
  if (failures.length) return `NOT ready: ${failures.map((f) => `${f.label} ${why(f)}`).join(', ')}`;
  const decided = new Set(requiredNames(report, require));
  const passed = [...new Set(report.probes.filter((p) => decided.has(p.name) && p.status === 'ok').map((p) => p.label))];
  const forWhom = purpose(report);
  const token = report.challenge ? `; ${forWhom === 'Cloudflare Logpush' ? '' : 'Cloudflare '}ownership token above` : '';
  return `ready${forWhom ? ` for ${forWhom}` : ''}: ${passed.length ? `${passed.join(', ')} ok` : 'nothing required'}${token}`;
}
