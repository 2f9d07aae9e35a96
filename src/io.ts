/**
 * Everything a command touches outside its arguments: the three standard streams, the environment,
 * the clock and the door to storage. `run` functions take an `Io` instead of reaching for
 * `process.*`, so a test can drive a command in-process against the emulators and read what it
 * printed (test/support/io.ts), while `processIo()` wires the real process for bin/archive.js.
 */
import type { Target } from './target.js';
import type { StorageProvider } from './providers/types.js';
import { processInterrupt, type Interrupt } from './interrupt.js';
import { UsageError } from './errors.js';

/** A stream a command prints to; `isTTY`/`columns` are what a terminal reports (absent on a pipe). */
export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; destroyed?: boolean };

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Read it, never write it: a run must not change the environment its caller sees. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /** The wall clock (`--since 2h` is relative to it). */
  now(): Date;
  /** Opens the provider for a target; rejects with the ArchiveError the provider maps (auth 3, not found 4). */
  openProvider(target: Target): Promise<StorageProvider>;
  /** Ctrl-C/SIGTERM state of this run (src/interrupt.ts): per run, so in-process runs never share an abort. */
  readonly interrupt: Interrupt;
}

/** The real process. Providers load on first use so `archive --help` stays fast. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: clockFrom(process.env),
    openProvider: async (target) => (await import('./providers/index.js')).openProvider(target),
    interrupt: processInterrupt(),
  };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The run's clock: the wall clock, or the fixed instant `ARCHIVE_NOW` names (ISO 8601 with a zone,
 * e.g. `2026-03-01T00:30:00Z`), so a report re-run later, or a test, sees the same relative windows
 * (`--since 2h` counts back from it). Only what relative times count from is fixed; request
 * signatures, timeouts and progress keep the real clock.
 */
export function clockFrom(env: Readonly<NodeJS.ProcessEnv>): () => Date {
  const fixed = env.ARCHIVE_NOW;
  if (fixed === undefined || fixed === '') return () => new Date();
  const ms = ISO_INSTANT.test(fixed) ? Date.parse(fixed) : Number.NaN;
  return () => {
    if (Number.isNaN(ms))
      throw new UsageError(`ARCHIVE_NOW=${JSON.stringify(fixed)} is not an ISO 8601 instant`, {
        hint: 'give a time with its zone, e.g. ARCHIVE_NOW=2026-03-01T00:30:00Z, or unset it to use the wall clock',
      });
    return new Date(ms);
  };
}
