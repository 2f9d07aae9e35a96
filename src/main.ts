/**
 * Process entry (bin/archive.js): runs the CLI over the real process (src/run-cli.ts), then owns
 * what only a process has: stdout write errors, flushing stdio, and the exit.
 */
import { ArchiveError, ExitCode } from './errors.js';
import { processIo } from './io.js';
import { ioForArgs, reportError, runCli } from './run-cli.js';

// `archive … | head` closing the pipe is normal use: stop quietly with success. Any other write
// error (ENOSPC on a full disk or /dev/full, EIO) lost output: it must not end in exit 0.
let stdoutError: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  stdoutError ??= err;
});

/**
 * Resolves once everything written to stdout/stderr has left the process. A pipe to a slow reader
 * (`| jq`, a CI log collector) holds the last writes in Node's queue after write() returned true;
 * process.exit() would drop them. An empty write completes only after the writes queued before it.
 */
function stdioFlushed(): Promise<void> {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0 && !s.destroyed);
  return Promise.all(pending.map((s) => new Promise<void>((resolve) => s.write('', () => resolve())))).then(() => undefined);
}

const argv = process.argv.slice(2);
const io = ioForArgs(argv, processIo());
let code = await runCli(argv, io);
process.exitCode = code;
await stdioFlushed();
if (stdoutError) {
  const why = stdoutError.code === 'ENOSPC' ? 'no space left on the device' : stdoutError.message;
  code = await reportError(
    new ArchiveError(`cannot write the output: ${why}`, {
      serviceCode: stdoutError.code,
      hint: 'stdout could not take all of it; free space or redirect it elsewhere and run the command again',
      cause: stdoutError,
    }),
    false,
    io,
  );
  process.exitCode = code;
}
// Exit explicitly rather than wait on keep-alive sockets held by SDK agents.
setImmediate(() => process.exit(code));
