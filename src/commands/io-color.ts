/**
 * Colour for what a command prints to `io.stdout`, decided as output/color.ts decides it for the
 * process (NO_COLOR, FORCE_COLOR, else only on a terminal), but from the Io's stream and environment.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { colorEnabled } from '../output/color.js';
import type { Io } from '../io.js';

export function ioColor(io: Pick<Io, 'stdout' | 'env'>): ChalkInstance {
  return new Chalk({ level: colorEnabled(io.stdout as NodeJS.WriteStream, io.env) ? chalk.level || 1 : 0 });
}
