/**
 * The command tree. Each command lives in its own file under commands/ and registers itself here
 * as `registerX(program, io)`; its action calls `runX(args, flags, io)`, so everything a command
 * prints or reads from its surroundings goes through the run's Io (src/io.ts). Heavy modules
 * (SDKs) are imported inside actions, never at registration.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { registerContainers } from './commands/containers.js';
import { registerList } from './commands/list.js';
import { registerProfile } from './commands/profile.js';
import { registerSas } from './commands/sas.js';
import { registerValidate } from './commands/validate.js';
import { registerPull } from './commands/pull.js';
import { registerCat } from './commands/cat.js';
import { registerCompletion } from './commands/completion.js';
import { registerQuery } from './commands/query.js';
import { registerCompleteLocation } from './commands/complete-location.js';
import type { Io } from './io.js';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

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

/** `argv`: the run's arguments, only to name the right `--help` in a usage error's hint. */
export function buildProgram(io: Io, argv: readonly string[] = []): Command {
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

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 auth/permission, 4 not found, 5 partial failure, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)`,
  );
  registerContainers(program, io);
  registerList(program, io);
  registerProfile(program, io);
  registerSas(program, io);
  registerValidate(program, io);
  registerPull(program, io);
  registerCat(program, io);
  registerQuery(program, io);
  registerCompletion(program, io);
  registerCompleteLocation(program, io);
  for (const c of program.commands) c.exitOverride();
  return program;
}
