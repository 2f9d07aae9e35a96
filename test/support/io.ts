/**
 * Drives the CLI in-process over a fake Io (src/io.ts): `runInProcess(argv, opts)` calls runCli()
 * with captured stdout/stderr, the given env, a switchable TTY and width, and the real
 * openProvider, against the same emulators the spawned tests use (no HTTP mocking). It answers
 * like test/support/cli.ts runCli (code, stdout, stderr, stdoutBuf; outputs appended to
 * `transcript`), so a suite moves from spawned to in-process by changing which one it calls.
 *
 * Isolation, the same as a spawned run gets (cli.ts cleanEnv):
 * - the run's env is cleanEnv(opts.env): temp HOME/XDG_CONFIG_HOME/ARCHIVE_CONFIG_DIR, empty
 *   AWS config and credential files, no developer AZURE_/AWS_/ARCHIVE_ variables. Profiles, the
 *   pull state dir and every credential the product resolves itself come from io.env.
 * - this test process's own environment is scrubbed the same way on import, and the loopback
 *   guard is loaded into it: the AWS SDK's default chain (fromEnv, fromIni, IMDS) and Azure's
 *   DefaultAzureCredential read process.env themselves, not io.env.
 * - for that reason a run whose env names one of the SDK chains' variables (SDK_CHAIN_ENV) has
 *   those variables, and only those, mirrored into process.env while it runs; such runs take
 *   turns (a queue), so two runs never see each other's credentials.
 * - every run has its own Interrupt, its own SAS-warning memory and its own colour decision.
 */
import { Readable, Writable } from 'node:stream';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Io, OutStream } from '../../src/io.js';
import { Interrupt } from '../../src/interrupt.js';
import { runCli } from '../../src/run-cli.js';
import { cleanEnv, hermetic, runCli as spawnedCli, transcript, type CliResult } from './cli.js';

/** Variables the SDK credential chains read from process.env directly (the product reads the rest from io.env). */
export const SDK_CHAIN_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
  'IDENTITY_ENDPOINT',
  'MSI_ENDPOINT',
] as const;

// This process as hermetic as a spawned CLI: the same variables dropped, the same temp home.
for (const [k, v] of Object.entries(cleanEnv())) if (k !== 'NODE_OPTIONS') process.env[k] = v;
for (const k of Object.keys(process.env)) if (!(k in cleanEnv())) delete process.env[k];
// The guard stops (exit 86, logged) any connection off loopback made by this process from here on.
await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'loopback-guard.mjs')).href);

/** A stdout/stderr that keeps what was written; `isTTY`/`columns` as a terminal would report them. */
export class CapturedStream extends Writable {
  private readonly chunks: Buffer[] = [];
  isTTY?: boolean;
  columns?: number;
  constructor(o: { tty?: boolean; columns?: number } = {}) {
    super();
    if (o.tty) this.isTTY = true;
    if (o.columns !== undefined) this.columns = o.columns;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
    this.emit('written');
  }
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  text(): string {
    return this.buffer().toString();
  }
}

export interface FakeIoOptions {
  /** Added to the hermetic env (undefined deletes), as cli.ts runCli's `env`. */
  env?: Record<string, string | undefined>;
  /** stdout reports a terminal (of `columns` columns). */
  tty?: boolean;
  columns?: number;
  /** stderr reports a terminal (progress bars draw there). */
  stderrTty?: boolean;
  /** What stdin holds (default: empty, not a terminal). */
  input?: string | Buffer;
  /** A fixed clock; default the real one. */
  now?: Date;
  /** A clock the test moves (wins over `now`): what a long run (`--follow`) reads at each poll. */
  clock?: () => Date;
}

export interface FakeIo {
  io: Io;
  stdout: CapturedStream;
  stderr: CapturedStream;
  interrupt: Interrupt;
}

export function fakeIo(o: FakeIoOptions = {}): FakeIo {
  const env = cleanEnv(o.env);
  delete env.NODE_OPTIONS; // the guard preload is for spawned children; this process has it loaded
  const stdout = new CapturedStream({ tty: o.tty, columns: o.columns });
  const stderr = new CapturedStream({ tty: o.stderrTty, columns: o.columns });
  const stdin = o.input === undefined ? Readable.from([]) : Readable.from([Buffer.from(o.input)]);
  const interrupt = new Interrupt();
  const io: Io = {
    stdout: stdout as OutStream,
    stderr: stderr as OutStream,
    stdin,
    env,
    now: () => (o.clock ? o.clock() : o.now ? new Date(o.now) : new Date()),
    openProvider: async (target) => (await import('../../src/providers/index.js')).openProvider(target),
    interrupt,
  };
  return { io, stdout, stderr, interrupt };
}

let chainQueue: Promise<unknown> = Promise.resolve();

/** Mirrors the run's SDK-chain variables into process.env around `fn`, one such run at a time. */
async function withChainEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const wanted = SDK_CHAIN_ENV.filter((k) => env[k] !== undefined && env[k] !== process.env[k]);
  if (!wanted.length) return fn();
  const turn = chainQueue.then(async () => {
    const saved = new Map(wanted.map((k) => [k, process.env[k]]));
    for (const k of wanted) process.env[k] = env[k];
    try {
      return await fn();
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
  chainQueue = turn.catch(() => undefined);
  return turn;
}

export interface InProcessOptions extends FakeIoOptions {
  timeoutMs?: number;
}

/** `archive ARGV…` in this process; resolves like cli.ts runCli (signal is always null). */
export async function runInProcess(argv: string[], o: InProcessOptions = {}): Promise<CliResult> {
  const f = fakeIo(o);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`archive ${argv.join(' ')}: no answer in ${o.timeoutMs ?? 120_000} ms`)),
      o.timeoutMs ?? 120_000,
    );
  });
  try {
    const code = await Promise.race([withChainEnv(f.io.env as NodeJS.ProcessEnv, () => runCli(argv, f.io)), timeout]);
    const stdoutBuf = f.stdout.buffer();
    const r: CliResult = { code, signal: null, stdout: stdoutBuf.toString(), stderr: f.stderr.text(), stdoutBuf };
    transcript.push(r.stdout, r.stderr);
    return r;
  } finally {
    clearTimeout(timer);
  }
}

/** The temp home every run shares (profiles dir, AWS files), re-exported for suites that write into it. */
export { hermetic };

/**
 * The same command both ways, for the few cases per suite that prove the spawned binary
 * (bin/archive.js → dist/) still prints exactly what the in-process run prints.
 */
export async function bothWays(
  argv: string[],
  o: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<{ inProcess: CliResult; spawned: CliResult }> {
  const inProcess = await runInProcess(argv, { env: o.env, input: o.input });
  const spawned = await spawnedCli(argv, { env: o.env, input: o.input });
  return { inProcess, spawned };
}

/** A run still going (`cat --follow`): its captured output so far, its interrupt, and its end. */
export interface StartedRun extends FakeIo {
  /** Resolves with the run's result when it ends (a signal, a closed pipe, an error). */
  done: Promise<CliResult>;
  /** Resolves once `test(stdout, stderr)` holds, checked as output arrives; rejects after `timeoutMs`. */
  until(test: (stdout: string, stderr: string) => boolean, timeoutMs?: number): Promise<void>;
}

/** SDK-chain variables mirrored for runs still going (startInProcess): the value, what it replaced, how many use it. */
const mirrored = new Map<string, { value: string; saved: string | undefined; users: number }>();

/**
 * Mirrors the run's SDK-chain variables into process.env for as long as it runs. Runs that may
 * never end cannot take turns (runInProcess's queue would wait for ever), so they share instead:
 * two at once must agree on every such variable (the same emulator's keys), else this throws.
 */
function shareChainEnv(env: NodeJS.ProcessEnv): () => void {
  const wanted = SDK_CHAIN_ENV.filter((k) => env[k] !== undefined);
  for (const k of wanted) {
    const m = mirrored.get(k);
    if (m && m.value !== env[k]) throw new Error(`startInProcess: ${k} differs from the value a run still going uses`);
  }
  for (const k of wanted) {
    const m = mirrored.get(k);
    if (m) m.users++;
    else mirrored.set(k, { value: env[k]!, saved: process.env[k], users: 1 });
    process.env[k] = env[k];
  }
  return () => {
    for (const k of wanted) {
      const m = mirrored.get(k)!;
      if (--m.users) continue;
      mirrored.delete(k);
      if (m.saved === undefined) delete process.env[k];
      else process.env[k] = m.saved;
    }
  };
}

/**
 * Starts `archive ARGV…` in this process without waiting for it to end (`--follow`). Its SDK-chain
 * variables are shared with other runs still going rather than queued (shareChainEnv).
 */
export function startInProcess(argv: string[], o: FakeIoOptions = {}): StartedRun {
  const f = fakeIo(o);
  const release = shareChainEnv(f.io.env as NodeJS.ProcessEnv);
  const done = runCli(argv, f.io).then((code) => {
    release();
    const stdoutBuf = f.stdout.buffer();
    const r: CliResult = { code, signal: null, stdout: stdoutBuf.toString(), stderr: f.stderr.text(), stdoutBuf };
    transcript.push(r.stdout, r.stderr);
    return r;
  });
  const until = (test: (stdout: string, stderr: string) => boolean, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test(f.stdout.text(), f.stderr.text())) return false;
        cleanup();
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `archive ${argv.join(' ')}: condition not met in ${timeoutMs} ms\nstdout:\n${f.stdout.text()}\nstderr:\n${f.stderr.text()}`,
          ),
        );
      }, timeoutMs);
      const ended = () => {
        if (check()) return;
        cleanup();
        reject(
          new Error(`archive ${argv.join(' ')} ended before the condition held\nstdout:\n${f.stdout.text()}\nstderr:\n${f.stderr.text()}`),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        f.stdout.off('written', check);
        f.stderr.off('written', check);
      };
      f.stdout.on('written', check);
      f.stderr.on('written', check);
      void done.then(ended, ended);
      check();
    });
  return { ...f, done, until };
}
