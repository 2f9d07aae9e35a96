/**
 * The error mapping both providers share, written once: the wrapper that turns whatever an SDK
 * call throws into the ArchiveError the provider maps it to, and the two answers that mean the
 * same on Azure and S3 — a failed precondition (the object changed under a conditional read) and
 * a transient failure (throttling, a 5xx, a network errno) that the caller may retry.
 */
import { ArchiveError, TransientError } from '../errors.js';
import { networkHint, type Operation } from './hints.js';
import { retryAfterMs } from './retry-after.js';

/**
 * Runs one provider call. Resolves with its result; rejects only with what `fail` returns for the
 * error (an AuthError, NotFoundError, TransientError, … — the provider's mapping).
 */
export async function mapFailure<T>(call: () => Promise<T>, fail: (err: unknown) => Error): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw fail(e);
  }
}

/** What a mapper read off an SDK error: the HTTP status, the service's code, the network errno. */
export interface ErrorFacts {
  status?: number;
  code?: string;
  netCode?: string;
  /** The endpoint's host[:port], named in network errors (it carries no secret). */
  host?: string;
}

/** 412 / ConditionNotMet / PreconditionFailed: a writer replaced the object mid-transfer. Else undefined. */
export function changedMidRead(op: Operation, what: string, f: ErrorFacts, cause: unknown): ArchiveError | undefined {
  if (f.status !== 412 && f.code !== 'ConditionNotMet' && f.code !== 'PreconditionFailed') return undefined;
  return new ArchiveError(`${op} ${what}: the object changed while it was being read`, {
    serviceCode: f.code ?? 'PreconditionFailed',
    hint: 'a writer replaced the object mid-transfer; run the command again to fetch the new version',
    status: f.status,
    cause,
  });
}

/**
 * 429, 500, 503, S3's SlowDown, or no answer at all with a network errno (ECONNRESET, ETIMEDOUT…):
 * a TransientError carrying the service's Retry-After. Else undefined.
 */
export function transientFailure(op: Operation, what: string, f: ErrorFacts, cause: unknown): TransientError | undefined {
  const { status, code, netCode, host } = f;
  const network = !status && !!netCode && /^E[A-Z]+$/.test(netCode);
  if (status !== 429 && status !== 500 && status !== 503 && code !== 'SlowDown' && !network) return undefined;
  return new TransientError(
    `${op} ${what}: ${status ? `service answered ${status}` : `network error ${netCode}${host ? ` reaching ${host}` : ''}`}`,
    {
      // A network failure's code is its errno, not the JS class that carried it (TimeoutError, …).
      serviceCode: status ? (code ?? netCode) : (netCode ?? code),
      hint: networkHint(netCode),
      status,
      retryAfterMs: retryAfterMs(cause),
      cause,
    },
  );
}
