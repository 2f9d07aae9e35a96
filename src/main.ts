/**
 * Process entry: runs the CLI, turns every failure into SPEC's one-line error + hint and exit code.
 */
import { CommanderError } from 'commander';
import { ArchiveError, ExitCode, InterruptedError, TerminatedError } from './errors.js';
import { redact } from './redact.js';
import { BrokenPipe } from './output/writer.js';
import { buildProgram } from './cli.js';
import { interrupted, interruptedBy } from './interrupt.js';

async function report(err: unknown, verbose: boolean): Promise<number> {
  if (err instanceof BrokenPipe || (err as NodeJS.ErrnoException)?.code === 'EPIPE') return ExitCode.OK;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
    // commander already printed "error: …"; add nothing but the exit code.
    return ExitCode.USAGE;
  }
  const c = (await import('./output/color.js')).stderrColor();
  if (interrupted() && !(err instanceof ArchiveError && err.exitCode !== ExitCode.UNEXPECTED)) err = new InterruptedError('interrupted');
  // Commands say "interrupted" whatever the signal; SIGTERM gets its own wording and exit code.
  if (err instanceof InterruptedError && interruptedBy() === 'SIGTERM') {
    err = new TerminatedError(err.message.replace(/\binterrupted\b/, 'terminated by SIGTERM'), {
      hint: err.hint,
      serviceCode: err.serviceCode,
      cause: err.cause,
    });
  }
  const ae = err instanceof ArchiveError ? err : undefined;
  const msg = ae ? ae.message : err instanceof Error ? err.message : String(err);
  const code = ae?.serviceCode ? ` (${ae.serviceCode})` : '';
  process.stderr.write(`${redact(`${c.red('archive:')} ${msg}${code}`)}\n`);
  if (ae?.hint) process.stderr.write(`${redact(`${c.yellow('hint:')} ${ae.hint}`)}\n`);
  else if (!ae) process.stderr.write(`${c.yellow('hint:')} this is unexpected; re-run with --verbose and report it\n`);
  if (verbose && err instanceof Error) {
    let e: unknown = err;
    while (e instanceof Error) {
      process.stderr.write(`${redact(e.stack ?? String(e))}\n`);
      e = e.cause;
      if (e) process.stderr.write('caused by:\n');
    }
  }
  return ae ? ae.exitCode : ExitCode.UNEXPECTED;
}

// `archive … | head` closing the pipe is normal use: stop quietly with success. Any other write
// error (ENOSPC on a full disk or /dev/full, EIO) lost output: it must not end in exit 0.
let stdoutError: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  stdoutError ??= err;
});

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (argv.includes('--no-color')) process.env.NO_COLOR = '1';
  // The version with what a bug report needs beside it (Node, zstd decoder): src/version.ts.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${await (await import('./version.js')).versionText()}\n`);
    return ExitCode.OK;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (process.exitCode as number | undefined) ?? ExitCode.OK;
  } catch (err) {
    return await report(err, verbose);
  }
}

/**
 * Resolves once everything written to stdout/stderr has left the process. A pipe to a slow reader
 * (`| jq`, a CI log collector) holds the last writes in Node's queue after write() returned true;
 * process.exit() would drop them. An empty write completes only after the writes queued before it.
 */
function stdioFlushed(): Promise<void> {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0 && !s.destroyed);
  return Promise.all(pending.map((s) => new Promise<void>((resolve) => s.write('', () => resolve())))).then(() => undefined);
}

let code = await main(process.argv.slice(2));
process.exitCode = code;
await stdioFlushed();
if (stdoutError) {
  const why = stdoutError.code === 'ENOSPC' ? 'no space left on the device' : stdoutError.message;
  code = await report(
    new ArchiveError(`cannot write the output: ${why}`, {
      serviceCode: stdoutError.code,
      hint: 'stdout could not take all of it; free space or redirect it elsewhere and run the command again',
      cause: stdoutError,
    }),
    false,
  );
  process.exitCode = code;
}
// Exit explicitly rather than wait on keep-alive sockets held by SDK agents.
setImmediate(() => process.exit(code));
