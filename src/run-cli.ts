/**
 * One CLI run over an Io: parse, run the command, and turn every failure into the one-line error +
 * hint and exit code (0 ok, 1 unexpected, 2 usage, 3 auth, 4 not found, 5 partial, 130/143
 * interrupted). No process state is read or changed here: bin/archive.js (src/main.ts) hands in
 * processIo(), tests hand in a fake (test/support/io.ts) and read what was printed.
 */
import { CommanderError } from 'commander';
import { ArchiveError, ExitCode, InterruptedError, TerminatedError } from './errors.js';
import { redact } from './redact.js';
import { escapeText } from './output/escape.js';
import { BrokenPipe } from './output/writer.js';
import { buildProgram } from './cli.js';
import type { Io } from './io.js';

/** Prints `err` as `archive: … (code)` + `hint: …` on io.stderr and returns its exit code. */
export async function reportError(err: unknown, verbose: boolean, io: Io): Promise<number> {
  if (err instanceof BrokenPipe || (err as NodeJS.ErrnoException)?.code === 'EPIPE') return ExitCode.OK;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
    // commander already printed "error: …"; add nothing but the exit code.
    return ExitCode.USAGE;
  }
  const c = (await import('./output/color.js')).stderrColor(io);
  if (io.interrupt.interrupted() && !(err instanceof ArchiveError && err.exitCode !== ExitCode.UNEXPECTED))
    err = new InterruptedError('interrupted');
  // Commands say "interrupted" whatever the signal; SIGTERM gets its own wording and exit code.
  if (err instanceof InterruptedError && io.interrupt.by() === 'SIGTERM') {
    err = new TerminatedError(err.message.replace(/\binterrupted\b/, 'terminated by SIGTERM'), {
      hint: err.hint,
      serviceCode: err.serviceCode,
      cause: err.cause,
    });
  }
  const ae = err instanceof ArchiveError ? err : undefined;
  const msg = ae ? ae.message : err instanceof Error ? err.message : String(err);
  const code = ae?.serviceCode ? ` (${ae.serviceCode})` : '';
  // Messages carry keys and service text: redacted first (a secret is matched as sent), then
  // escaped (output/escape.ts), then coloured, so no outside byte reaches the terminal raw.
  io.stderr.write(`${c.red('archive:')} ${escapeText(redact(`${msg}${code}`))}\n`);
  if (ae?.hint) io.stderr.write(`${c.yellow('hint:')} ${ae.hintIsSafe ? redact(ae.hint) : escapeText(redact(ae.hint))}\n`);
  else if (!ae) io.stderr.write(`${c.yellow('hint:')} this is unexpected; re-run with --verbose and report it\n`);
  if (verbose && err instanceof Error) {
    let e: unknown = err;
    while (e instanceof Error) {
      // A stack is lines of its own: each line escaped, the line breaks kept.
      io.stderr.write(
        `${redact(e.stack ?? String(e))
          .split('\n')
          .map(escapeText)
          .join('\n')}\n`,
      );
      e = e.cause;
      if (e) io.stderr.write('caused by:\n');
    }
  }
  return ae ? ae.exitCode : ExitCode.UNEXPECTED;
}

/** `--no-color` is this run's decision: NO_COLOR in the run's env, never in process.env. */
export function ioForArgs(argv: readonly string[], io: Io): Io {
  return argv.includes('--no-color') ? { ...io, env: { ...io.env, NO_COLOR: '1' } } : io;
}

/** Runs `archive ARGV…` over `io` and resolves with the exit code; never rejects. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const run = ioForArgs(argv, io);
  // The version with what a bug report needs beside it (Node, zstd decoder): src/version.ts.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    run.stdout.write(`${await (await import('./version.js')).versionText()}\n`);
    return ExitCode.OK;
  }
  try {
    const program = await buildProgram(run, argv);
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (err) {
    return await reportError(err, verbose, run);
  }
}
