/**
 * Whether stdout is a person's terminal, and how wide, from the run's Io (its stdout and env).
 * `ARCHIVE_FORCE_TTY=1` (with `COLUMNS`) makes a pipe count as one, so the terminal renderings can
 * be tested exactly at 80 and 120 columns without a pseudo-terminal, and shown in a pager
 * (`ARCHIVE_FORCE_TTY=1 archive list … | less -S`).
 */
import type { Io } from '../io.js';

type Terminal = Pick<Io, 'stdout' | 'env'>;

export function stdoutIsTTY(io: Terminal): boolean {
  return !!io.stdout.isTTY || io.env.ARCHIVE_FORCE_TTY === '1';
}

export function stdoutColumns(io: Terminal): number {
  const fromEnv = Number(io.env.COLUMNS);
  if (io.env.ARCHIVE_FORCE_TTY === '1' && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.stdout.columns || (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80);
}

/** The same for stderr, where progress is drawn. */
export function stderrIsTTY(io: Pick<Io, 'stderr' | 'env'>): boolean {
  return !!io.stderr.isTTY || io.env.ARCHIVE_FORCE_TTY === '1';
}
