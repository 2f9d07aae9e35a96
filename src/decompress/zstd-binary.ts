import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ArchiveError } from '../errors.js';
import { DecoderStream } from './decoder-stream.js';
import { corrupt } from './decode-error.js';
import { waitWritable } from './inner.js';

/** `--long=31` lets zstd decode any window up to 2 GiB (its default limit is 128 MiB). */
export const ZSTD_BINARY_ARGS = ['-d', '-c', '-q', '--long=31', '-'] as const;
const STDERR_LIMIT = 4096;

let cached: { pathEnv: string; found: Promise<string | undefined> } | undefined;

/**
 * What the zstd child may see of our environment: an allowlist, not a denylist of AZURE_/AWS_/…,
 * because credentials arrive under any name (GITHUB_TOKEN, VAULT_TOKEN, a CI's own secrets) and a
 * decompressor needs none of them — only PATH (it may be a wrapper script), the locale for its
 * messages, the temp dir, Windows' system root, and its own ZSTD_* settings.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (/^(PATH|LANG|LANGUAGE|LC_[A-Z]+|TMPDIR|TMP|TEMP|TZ|SYSTEMROOT|WINDIR|ZSTD_[A-Z_]+)$/i.test(k)) out[k] = v;
  }
  return out;
}

/** Absolute path of an executable `zstd` on PATH, or undefined. Cached per PATH value. */
export function findZstdBinary(): Promise<string | undefined> {
  const pathEnv = process.env.PATH ?? '';
  if (cached?.pathEnv !== pathEnv) cached = { pathEnv, found: searchPath(pathEnv) };
  return cached.found;
}

async function searchPath(pathEnv: string): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['zstd.exe', 'zstd'] : ['zstd'];
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * One `zstd -d` child process: compressed bytes to its stdin, decoded bytes to `onData` (which
 * may pause stdout for backpressure), with backpressure on stdin too. zstd itself handles
 * multiple and skippable frames, checksums, truncation and trailing garbage; a non-zero exit
 * rejects `exited` with an IntegrityError carrying its stderr, and is also reported to `onFail`
 * at once (not at the next write).
 */
export class ZstdProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly exited: Promise<void>;
  private stderr = '';
  private stdinError: Error | undefined;

  constructor(
    private readonly label: string,
    binary: string,
    onData: (d: Buffer, stdout: Readable) => void,
    onFail: (err: unknown) => void,
  ) {
    const child = spawn(binary, ZSTD_BINARY_ARGS, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, env: childEnv() });
    this.child = child;
    const { stdin, stdout, stderr } = child;
    stdout.on('data', (d: Buffer) => onData(d, stdout));
    stderr.setEncoding('utf8');
    stderr.on('data', (s: string) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += s;
    });
    // EPIPE and the like: zstd stopped reading, and its exit status says why.
    stdin.on('error', (err) => {
      this.stdinError ??= err;
    });
    const stdoutDone = new Promise<void>((resolve) => stdout.once('end', resolve));
    const stderrDone = new Promise<void>((resolve) => stderr.once('close', resolve));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (err) =>
        reject(
          new ArchiveError(`${label}: could not run ${binary} to decode zstd: ${err.message}`, {
            hint: 'Install zstd (e.g. `apt-get install zstd`), or unset ARCHIVE_ZSTD_DECODER to let archive pick a decoder.',
            cause: err,
          }),
        ),
      );
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exited = exit.then(async ({ code, signal }) => {
      if (signal) throw new ArchiveError(`${label}: the zstd process decoding it was killed (${signal})`);
      if (code !== 0) {
        // Failed: its remaining output is worthless, its stderr says why.
        await stderrDone;
        throw corrupt(label, 'zstd', cleanStderr(this.stderr) || `zstd exited with status ${code}`);
      }
      await stdoutDone;
      if (this.stdinError) {
        throw corrupt(label, 'zstd', `zstd exited before reading all input (${this.stdinError.message})`);
      }
    });
    this.exited.catch(onFail);
  }

  async write(chunk: Uint8Array): Promise<void> {
    const { stdin } = this.child;
    if (this.stdinError || stdin.destroyed) {
      await this.exited; // reports zstd's own error
      throw corrupt(this.label, 'zstd', 'zstd stopped reading its input');
    }
    if (!stdin.write(chunk)) await waitWritable(stdin);
  }

  /** No more input: resolves once zstd exited cleanly and all its output was delivered. */
  end(): Promise<void> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child.stdin.destroy();
    child.stdout.destroy();
  }
}

/**
 * zstd through the `zstd` program (one ZstdProcess for the whole object). The child starts with
 * the first input and is killed when the stream is destroyed (abort, consumer failure).
 */
export class BinaryZstdDecoder extends DecoderStream {
  private proc: ZstdProcess | undefined;

  constructor(
    label: string,
    private readonly binary: string,
  ) {
    super(label, 'zstd');
  }

  /** The child process, once started. */
  get child(): ChildProcessByStdio<Writable, Readable, Readable> | undefined {
    return this.proc?.child;
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    await this.start().write(chunk);
  }

  protected async onEnd(): Promise<void> {
    await this.start().end();
  }

  protected onDestroy(): void {
    this.proc?.kill();
  }

  private start(): ZstdProcess {
    this.proc ??= new ZstdProcess(
      this.label,
      this.binary,
      (d, stdout) => this.pushOrPause(d, stdout),
      (err) => this.fail(err),
    );
    return this.proc;
  }
}

function cleanStderr(s: string): string {
  return s
    .split('\n')
    .map((l) =>
      l
        .replace(/^zstd:\s*/, '')
        .replace(/^\/\*stdin\*\\\s*:\s*/, '')
        .trim(),
    )
    .filter(Boolean)
    .join('; ')
    .slice(0, 1000);
}
