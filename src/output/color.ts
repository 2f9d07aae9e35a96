/**
 * Colour decisions in one place: NO_COLOR (any non-empty value) wins, FORCE_COLOR forces,
 * otherwise colour only when the stream is a terminal.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return !!stream.isTTY;
}

let out: ChalkInstance | undefined;
let err: ChalkInstance | undefined;

export function stdoutColor(): ChalkInstance {
  return (out ??= colorEnabled(process.stdout) ? new Chalk({ level: chalk.level || 1 }) : new Chalk({ level: 0 }));
}
export function stderrColor(): ChalkInstance {
  return (err ??= colorEnabled(process.stderr) ? new Chalk({ level: chalk.level || 1 }) : new Chalk({ level: 0 }));
}
