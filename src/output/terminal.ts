/**
 * Whether stdout is a person's terminal, and how wide. `ARCHIVE_FORCE_TTY=1` (with `COLUMNS`)
 * makes a pipe count as one, so the terminal renderings can be tested exactly at 80 and 120
 * columns without a pseudo-terminal, and shown in a pager (`ARCHIVE_FORCE_TTY=1 archive list … | less -S`).
 */
export function stdoutIsTTY(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!process.stdout.isTTY || env.ARCHIVE_FORCE_TTY === '1';
}

export function stdoutColumns(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  if (env.ARCHIVE_FORCE_TTY === '1' && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return process.stdout.columns || (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80);
}
