/**
 * Starts the real storage emulators on 127.0.0.1 with free ports: Azurite (blob only) and s3rver,
 * each as a child process with its own temp directory. Used by tests, the demo and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const S3RVER_KEY_ID = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';

export interface Emulator {
  port: number;
  dir: string;
  stop(): Promise<void>;
}
export interface AzuriteEmulator extends Emulator {
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  serviceUrl: string;
  connectionString: string;
}
export interface S3Emulator extends Emulator {
  endpoint: string;
  env: Record<string, string>;
}

function waitForLine(child: ChildProcess, re: RegExp, name: string, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms:\n${buf}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${name} exited with ${code} before listening:\n${buf}`));
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

function stopper(child: ChildProcess, dir: string, keepDir = false): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  };
}

export interface StartOptions {
  inMemory?: boolean;
  /** Keep the data directory after stop (demo --keep). */
  keepDir?: boolean;
  dir?: string;
  port?: number;
  /** Extra flags, e.g. ['--oauth', 'basic', '--cert', …]. */
  extraArgs?: string[];
}

export async function startAzurite(opts: StartOptions = {}): Promise<AzuriteEmulator> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'archive-azurite-')));
  const args = [
    join(here, 'azurite-main.cjs'),
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(opts.port ?? 0),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
    '--loose',
  ];
  // Azurite refuses --location together with --inMemoryPersistence.
  args.push(...(opts.inMemory ? ['--inMemoryPersistence'] : ['--location', dir]));
  args.push(...(opts.extraArgs ?? []));
  // stdin stays an open pipe: the wrapper exits when it closes, i.e. when this process dies.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const m = await waitForLine(child, /listens on https?:\/\/127\.0\.0\.1:(\d+)/, 'Azurite');
  child.stdout?.resume();
  child.stderr?.resume();
  const port = Number(m[1]);
  const proto = opts.extraArgs?.includes('--cert') ? 'https' : 'http';
  const serviceUrl = `${proto}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    port,
    dir,
    serviceUrl,
    connectionString: `DefaultEndpointsProtocol=${proto};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${serviceUrl};`,
    stop: stopper(child, dir, opts.keepDir),
  };
}

export async function startS3rver(opts: StartOptions = {}): Promise<S3Emulator> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'archive-s3rver-')));
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --openssl-legacy-provider`.trim() };
  const args = [join(here, 's3rver-main.cjs'), dir];
  if (opts.port) args.push(String(opts.port));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  const m = await waitForLine(child, /S3RVER_LISTENING (\d+)/, 's3rver');
  child.stdout?.resume();
  child.stderr?.resume();
  const port = Number(m[1]);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    dir,
    endpoint,
    env: { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: endpoint },
    stop: stopper(child, dir, opts.keepDir),
  };
}
