/**
 * The command tree. Each command lives in its own file under commands/ and registers itself here
 * as `registerX(program, io)`; its action calls `runX(args, flags, io)`, so everything a command
 * prints or reads from its surroundings goes through the run's Io (src/io.ts). Heavy modules
 * (SDKs) are imported inside actions, never at registration.
 *
 * A run that names its command (`archive list …`, `archive -v pull …`) registers that command
 * only: building the other nine and loading their modules (their option defaults reach into the
 * pull, SAS, validate and completion modules, node:v8 and node:timers/promises) cost a 10-key
 * `archive list` ~10 ms of its ~100 ms above bare Node (load-hook timestamps, Node 20). Help,
 * `completion`, an unknown word or any other option before the command get the whole tree, so
 * they read and suggest exactly what they always did.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import type { Io } from './io.js';

const require = createRequire(import.meta.url);

type Register = (program: Command, io: Io) => void;

/** Every command in help order, by the words that name it (name first, then aliases). */
export const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['containers', 'buckets'], load: async () => (await import('./commands/containers.js')).registerContainers },
  { names: ['list', 'ls'], load: async () => (await import('./commands/list.js')).registerList },
  { names: ['profile'], load: async () => (await import('./commands/profile.js')).registerProfile },
  { names: ['sas'], load: async () => (await import('./commands/sas.js')).registerSas },
  { names: ['validate'], load: async () => (await import('./commands/validate.js')).registerValidate },
  { names: ['freshness'], load: async () => (await import('./commands/freshness.js')).registerFreshness },
  { names: ['pull'], load: async () => (await import('./commands/pull.js')).registerPull },
  { names: ['cat'], load: async () => (await import('./commands/cat.js')).registerCat },
  { names: ['query'], load: async () => (await import('./commands/query.js')).registerQuery },
  { names: ['restore'], load: async () => (await import('./commands/restore.js')).registerRestore },
  { names: ['completion'], load: async () => (await import('./commands/completion.js')).registerCompletion },
  { names: ['__complete-location'], load: async () => (await import('./commands/complete-location.js')).registerCompleteLocation },
];

/** Program-level flags that may come before the command word without changing what it runs. */
const LEADING_FLAGS = new Set(['-v', '--verbose', '--no-color']);

/** The one command `argv` runs, when nothing in it needs the others (help, completion, typos). */
function namedCommand(argv: readonly string[]): (typeof COMMANDS)[number] | undefined {
  const word = argv.find((a) => !LEADING_FLAGS.has(a));
  if (word === undefined || word === 'completion') return undefined;
  return COMMANDS.find((c) => c.names.includes(word));
}

/** The subcommand words the user typed, so the hint names the right `--help`. */
function usagePath(argv: readonly string[]): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
    if (words.length === 2) break;
  }
  return words.length ? `${words.join(' ')} ` : '';
}

/**
 * `argv`: the run's arguments, to name the right `--help` in a usage error's hint and to register
 * only the command they name (see above); none: the whole tree (completion scripts, tests).
 */
export async function buildProgram(io: Io, argv: readonly string[] = []): Promise<Command> {
  const one = namedCommand(argv);
  const registers = await Promise.all((one ? [one] : COMMANDS).map((c) => c.load()));
  const pkg = require('../package.json') as { version: string };
  const program = new Command('archive')
    .description('List, pull and read SaaS log archives in Azure Blob Storage and Amazon S3')
    .version(pkg.version, '-V, --version')
    .option('-v, --verbose', 'show details and stack traces (secrets stay redacted)')
    .option('--no-color', 'disable colours (also: NO_COLOR=1)')
    .exitOverride()
    // The error shape of every failure (README "Exit codes") for usage errors too: `archive: …` then `hint: …`.
    .configureOutput({
      writeOut: (str) => io.stdout.write(str),
      writeErr: (str) => io.stderr.write(str),
      // commander's own default, from the run's streams (undefined: its 80 columns).
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
      outputError: (str, write) =>
        write(
          `${str.trim().replace(/^error: /, 'archive: ')}\nhint: run \`archive ${/unknown command/.test(str) ? '' : usagePath(argv)}--help\` for usage\n`,
        ),
    });
  program.addHelpText(
    'after',
    `
Locations:
  az://ACCOUNT/CONTAINER/PREFIX          Azure Blob (credential from env or profile)
  https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX?SAS
  s3://BUCKET/PREFIX                     S3 (--endpoint for S3-compatible stores)
  PROFILE:PREFIX                         a saved profile

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 auth/permission, 4 not found, 5 partial failure, 6 check failed (freshness), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)`,
  );
  for (const register of registers) register(program, io);
  for (const c of program.commands) c.exitOverride();
  return program;
}
