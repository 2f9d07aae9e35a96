/**
 * Every failure the user can see is an ArchiveError: it carries the exit code README "Exit codes" documents,
 * the service's own error code (when one exists) and a hint naming the fix.
 */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  AUTH: 3,
  NOT_FOUND: 4,
  PARTIAL: 5,
  /** `archive freshness`: an export is late or has a gap (the check ran and failed). */
  CHECK_FAILED: 6,
  INTERRUPTED: 130,
  /** 128 + SIGTERM (15): what shells, systemd and CI runners expect from a process they stopped. */
  TERMINATED: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** The storage service's error code, e.g. AuthorizationFailure, NoSuchBucket. */
  serviceCode?: string;
  hint?: string;
  status?: number;
  /** A throttling answer's Retry-After, in ms: a retry waits at least this long. */
  retryAfterMs?: number;
  cause?: unknown;
  /**
   * The hint is already safe on a terminal as it stands, made so by whoever built it (a shell
   * command line whose words are quoted with $'…' escapes): printed as is, never escaped again,
   * which would double its backslashes and break the command a person pastes.
   */
  hintIsSafe?: boolean;
}

export class ArchiveError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.UNEXPECTED;
  readonly serviceCode?: string;
  readonly hint?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly hintIsSafe?: boolean;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.serviceCode = details.serviceCode;
    this.hint = details.hint;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.hintIsSafe = details.hintIsSafe;
  }
}

export class UsageError extends ArchiveError {
  override readonly exitCode = ExitCode.USAGE;
}
export class AuthError extends ArchiveError {
  override readonly exitCode = ExitCode.AUTH;
}
export class NotFoundError extends ArchiveError {
  override readonly exitCode = ExitCode.NOT_FOUND;
}
/** Some objects failed, the rest completed. */
export class PartialFailureError extends ArchiveError {
  override readonly exitCode = ExitCode.PARTIAL;
}
export class InterruptedError extends ArchiveError {
  override readonly exitCode = ExitCode.INTERRUPTED;
}
/** Stopped by SIGTERM (a CI timeout, `kill`, systemd): same clean-up as Ctrl-C, exit 143. */
export class TerminatedError extends ArchiveError {
  override readonly exitCode = ExitCode.TERMINATED;
}
/** A check ran and its answer is "no" (`archive freshness`: an export is late or has a gap). */
export class CheckFailedError extends ArchiveError {
  override readonly exitCode = ExitCode.CHECK_FAILED;
}
/** Data on the wire or on disk is not what it claims to be (checksum, size, corrupt compression). */
export class IntegrityError extends ArchiveError {}
/**
 * The object is in an archive tier (Azure Archive, S3 Glacier/Deep Archive, an Intelligent-Tiering
 * archive tier): the service refused to read it (Azure 409 BlobArchived, S3 403 InvalidObjectState)
 * until it is rehydrated or restored (`archive restore`). Exit 5: the other objects are unaffected.
 */
export class ArchivedError extends ArchiveError {
  override readonly exitCode = ExitCode.PARTIAL;
}
/** Retryable transport/service failure (throttling, reset, truncated body). */
export class TransientError extends ArchiveError {}

export function isArchiveError(e: unknown): e is ArchiveError {
  return e instanceof ArchiveError;
}

/** Rebuilds an error of the class that carries `code`, e.g. to report "all objects failed with 403". */
export function errorForExitCode(code: number, message: string, details: ErrorDetails = {}): ArchiveError {
  switch (code) {
    case ExitCode.USAGE:
      return new UsageError(message, details);
    case ExitCode.AUTH:
      return new AuthError(message, details);
    case ExitCode.NOT_FOUND:
      return new NotFoundError(message, details);
    case ExitCode.PARTIAL:
      return new PartialFailureError(message, details);
    case ExitCode.INTERRUPTED:
      return new InterruptedError(message, details);
    case ExitCode.TERMINATED:
      return new TerminatedError(message, details);
    default:
      return new ArchiveError(message, details);
  }
}

/**
 * The one rule for runs that read many objects (pull, cat, query; README "Exit codes"): once the
 * run has started on the objects, any object that fails makes it a partial failure, 5, whether
 * one, some or all of them failed. Only when every object failed with the same credential
 * denial (3) or was gone (4) is that code kept: then the credential or the location is wrong,
 * not the objects, and CI can tell the two apart. Never 1: an object failing is not a bug.
 */
export function objectFailureExitCode(failed: readonly number[], total: number): ExitCodeValue {
  const first = failed[0];
  const same = failed.length === total && failed.every((c) => c === first);
  return same && (first === ExitCode.AUTH || first === ExitCode.NOT_FOUND) ? (first as ExitCodeValue) : ExitCode.PARTIAL;
}

/**
 * What went wrong with `key`, without the key again: a decoder's `KEY: corrupt …` or a read's
 * `read LOCATION/KEY: not found …` would name it twice after a line that starts with it.
 */
export function problemOf(message: string, key: string): string {
  if (message.startsWith(`${key}: `)) return message.slice(key.length + 2);
  const read = `/${key}: `;
  const at = message.indexOf(read);
  return message.startsWith('read ') && at >= 0 ? message.slice(at + read.length) : message;
}
