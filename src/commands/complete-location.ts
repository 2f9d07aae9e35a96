/**
 * `archive __complete-location WORD` (hidden): the shell completion scripts call it for
 * `PROFILE:<TAB>`. Prints one completion a line; prints nothing (and exits 0) on any failure, so
 * a broken credential never spills errors into the user's prompt.
 */
import type { Command } from 'commander';
import { targetFor, open } from './options.js';
import type { Io } from '../io.js';

export async function runCompleteLocation(word: string, io: Io): Promise<void> {
  const { completeLocation } = await import('../completion/paths.js');
  const found = await completeLocation(word, {
    open: async (location) => {
      const target = await targetFor(location, {}, io);
      return { provider: await open(target, io), prefix: target.prefix };
    },
  });
  if (found.length) io.stdout.write(`${found.join('\n')}\n`);
}

export function registerCompleteLocation(program: Command, io: Io): void {
  program
    .command('__complete-location', { hidden: true })
    .argument('<word>')
    .action(async (word: string) => runCompleteLocation(word, io));
}
