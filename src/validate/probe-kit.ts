/**
 * What every probe shares: the run's context (provider, prefix, options, what the listing saw,
 * the rows so far) and the helpers that turn a provider error into a failed row, read the first
 * bytes of an object, and stop between probes on Ctrl-C.
 */
import { ArchiveError, AuthError, ExitCode, NotFoundError } from '../errors.js';
import { redact } from '../redact.js';
import type { ObjectInfo, StorageProvider } from '../providers/types.js';
import { azureHint, type Operation } from '../providers/hints.js';
import { describeLeft, iso, type SasReport } from '../sas/inspect.js';
import type { ProbeName } from './names.js';
import type { ProbeResult, ValidateOptions, ValidateReport } from './types.js';

export interface ProbeContext {
  readonly p: StorageProvider;
  readonly location: string;
  readonly opts: ValidateOptions;
  /** The location's prefix, and the same ending in '/' ('' for the root). */
  readonly prefix: string;
  readonly dir: string;
  /** Where probe objects go: never listed, never read as "a real object". */
  readonly probeRoot: string;
  readonly sas?: SasReport;
  readonly report: ValidateReport;
  /** What the list probe saw (its first 50 objects, probe objects left out). */
  listed: ObjectInfo[];
  listOk: boolean;
  listErr?: ProbeResult;
  /** Rows by label; a later row of the same label replaces an earlier one. */
  readonly rows: Map<string, ProbeResult>;
}

export function addRow(ctx: ProbeContext, r: ProbeResult): ProbeResult {
  ctx.rows.set(r.label, r);
  return r;
}

export function dirPrefix(prefix: string): string {
  return prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
}

/** A key given relative to the location (`--read`, `--marker`, `--challenge FILE`), made absolute. */
export function underLocation(ctx: ProbeContext, rel: string): string {
  return ctx.dir + rel.replace(/^\/+/, '');
}

export function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

const SAS_LETTER: Partial<Record<Operation, string>> = { list: 'l', read: 'r', write: 'w', delete: 'd' };

/** Turns a provider error into a failed probe row, with the fix refined by what the SAS says. */
export function failure(
  name: ProbeName,
  label: string,
  err: unknown,
  op: Operation,
  sas: SasReport | undefined,
  started: number,
): ProbeResult {
  const ae = err instanceof ArchiveError ? err : undefined;
  let hint = ae?.hint;
  const code = ae?.serviceCode ?? (err as { code?: string })?.code;
  if (sas && err instanceof AuthError) {
    const letter = SAS_LETTER[op];
    if (sas.expired)
      hint = `the SAS expired ${describeLeft(sas).replace('expired ', '')} (${iso(sas.info.expiry)}): ask for a new token, or create one with \`archive sas create\``;
    else if (sas.notYetValid) hint = `the SAS is not valid before ${iso(sas.info.start)}`;
    else if (letter && !sas.info.permissions.includes(letter)) hint = azureHint('AuthorizationPermissionMismatch', op, true);
    else if (sas.info.ip && code === 'AuthorizationFailure')
      hint = `the SAS only works from ${sas.info.ip} (sip=); ${azureHint('AuthorizationFailure', op, true)}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    name,
    label,
    status: 'fail',
    code,
    detail: redact(message).split('\n')[0],
    hint: hint ? redact(hint) : undefined,
    exitCode: err instanceof AuthError ? ExitCode.AUTH : err instanceof NotFoundError ? ExitCode.NOT_FOUND : ExitCode.UNEXPECTED,
    ms: Date.now() - started,
  };
}

/** The first `max` bytes of an object (a ranged GET when the size is known). */
export async function readSome(
  p: StorageProvider,
  key: string,
  size: number | undefined,
  max: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const range = size === 0 ? undefined : { start: 0, end: Math.max(0, Math.min(size ?? max, max) - 1) };
  const stream = await p.read(key, { range, signal });
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}
