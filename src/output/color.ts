/**
 * Colour decisions in one place: NO_COLOR (any non-empty value) wins, FORCE_COLOR forces,
 * otherwise colour only when the stream is a terminal. Decided per run from the run's Io (its
 * stream and env; `--no-color` sets NO_COLOR in that env only), never cached across runs.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Io, OutStream } from '../io.js';

export function colorEnabled(stream: { isTTY?: boolean }, env: Readonly<NodeJS.ProcessEnv>): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return !!stream.isTTY;
}

/** A chalk for one stream: a new instance each time (cheap), so no decision outlives its run. */
export function streamColor(stream: OutStream, env: Readonly<NodeJS.ProcessEnv>): ChalkInstance {
  return new Chalk({ level: colorEnabled(stream, env) ? chalk.level || 1 : 0 });
}

export function stdoutColor(io: Pick<Io, 'stdout' | 'env'>): ChalkInstance {
  return streamColor(io.stdout, io.env);
}
export function stderrColor(io: Pick<Io, 'stderr' | 'env'>): ChalkInstance {
  return streamColor(io.stderr, io.env);
}
