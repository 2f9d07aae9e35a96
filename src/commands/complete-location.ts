/**
 * `archive __complete-location WORD` (hidden): the shell completion scripts call it for
 * `PROFILE:<TAB>`. Prints one completion a line; prints nothing (and exits 0) on any failure, so
 * a broken credential never spills errors into the user's prompt.
 */
import type { Command } from 'commander';
import { targetFor, open } from './options.js';

export async function runCompleteLocation(word: string): Promise<void> {
  const { completeLocation } = await import('../completion-paths.js');
  const found = await completeLocation(word, {
    open: async (location) => {
      const target = await targetFor(location, {});
      return { provider: await open(target), prefix: target.prefix };
    },
  });
  if (found.length) process.stdout.write(`${found.join('\n')}\n`);
}

export function registerCompleteLocation(program: Command): void {
  program
    .command('__complete-location', { hidden: true })
    .argument('<word>')
    .action(async (word: string) => runCompleteLocation(word));
}
