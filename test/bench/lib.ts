/**
 * Shared pieces of the benchmark harness (npm run bench, npm run bench:list): argument parsing,
 * running a command with wall time and peak RSS, cleanup on exit and Ctrl-C, deterministic data,
 * hashing, the machine line and Markdown tables. Progress goes to stderr; results to stdout.
 */
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { S3RVER_KEY_ID, S3RVER_SECRET } from '../support/emulators.js';

const require = createRequire(import.meta.url);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'archive.js');
export const CACHE_DIR = path.join(ROOT, '.bench');
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

// ---------------------------------------------------------------------------------------------
// logging

const t0 = performance.now();
export function log(msg: string): void {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// arguments

export interface BenchArgs {
  runs: number;
  quick: boolean;
  only?: Set<string>;
  emulators: Array<'azure' | 's3'>;
  concurrency: number;
  keys?: number;
  node24: boolean;
  help: boolean;
}

export function parseArgs(argv: string[], defaults: { emulators: Array<'azure' | 's3'> }): BenchArgs {
  const a: BenchArgs = { runs: 3, quick: false, emulators: defaults.emulators, concurrency: 8, node24: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--runs':
        a.runs = Math.max(1, Number.parseInt(value(), 10));
        break;
      case '--quick':
        a.quick = true;
        break;
      case '--only':
        a.only = new Set(
          value()
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        );
        break;
      case '--emulators':
        a.emulators = value()
          .split(',')
          .map((s) => s.trim())
          .filter((s): s is 'azure' | 's3' => s === 'azure' || s === 's3');
        break;
      case '--concurrency':
        a.concurrency = Math.max(1, Number.parseInt(value(), 10));
        break;
      case '--keys':
        a.keys = Math.max(1, Number.parseInt(value(), 10));
        break;
      case '--no-node24':
        a.node24 = false;
        break;
      case '-h':
      case '--help':
        a.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (a.emulators.length === 0) throw new Error('--emulators takes azure, s3 or azure,s3');
  return a;
}

// ---------------------------------------------------------------------------------------------
// cleanup, also on Ctrl-C / SIGTERM

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];
const running = new Set<number>();
let cleaning: Promise<void> | undefined;
let interrupted = false;

/** Registers a cleanup step; steps run in reverse order on exit, error or signal. */
export function onCleanup(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function runCleanups(): Promise<void> {
  const killRunning = () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  cleaning ??= (async () => {
    killRunning();
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`[bench] cleanup step failed: ${(e as Error).message}\n`);
      }
    }
    killRunning(); // anything that slipped in meanwhile
  })();
  return cleaning;
}

export function installSignalHandlers(): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return; // a second Ctrl-C must not cut the cleanup short
      stopping = true;
      interrupted = true;
      process.stderr.write(`\n[bench] ${sig}: stopping emulators and removing temp dirs…\n`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}

/** A temp dir removed on cleanup. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Runs main() with cleanup on success, failure and signals. */
export function runMain(main: () => Promise<void>): void {
  installSignalHandlers();
  main()
    .then(async () => {
      await runCleanups();
      process.exit(process.exitCode ?? 0);
    })
    .catch(async (e: unknown) => {
      if (interrupted) return; // the signal handler cleans up and exits 130
      process.stderr.write(`[bench] FAILED: ${(e as Error)?.stack ?? String(e)}\n`);
      await runCleanups();
      process.exit(1);
    });
}

// ---------------------------------------------------------------------------------------------
// tools

export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export interface Tools {
  time?: string;
  rclone?: string;
  curl?: string;
  zstd?: string;
  /** execPath of a Node 24 (npm `node` package via npx), when reachable. */
  node24?: string;
  notes: string[];
}

export function findTools(want: { rclone?: boolean; curl?: boolean; zstd?: boolean; node24?: boolean }): Tools {
  const t: Tools = { notes: [] };
  const time = '/usr/bin/time';
  if (existsSync(time) && spawnSync(time, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0) t.time = time;
  else
    t.notes.push(
      'GNU time (/usr/bin/time) missing: peak RSS is sampled from /proc/PID/status VmHWM of the CLI process only (install: `apt-get install time`).',
    );
  if (want.rclone) {
    t.rclone = which('rclone');
    if (!t.rclone) t.notes.push('rclone missing: rclone columns skipped (install from Debian: `apt-get install rclone`).');
  }
  if (want.curl) {
    t.curl = which('curl');
    if (!t.curl) t.notes.push('curl missing: the emulator-floor row of case a is skipped.');
  }
  if (want.zstd) {
    t.zstd = which('zstd');
    if (!t.zstd)
      t.notes.push(
        'zstd missing: .zst cases (c, d) skipped, they need it to make fixtures and as the decode baseline (install from Debian: `apt-get install zstd`).',
      );
  }
  if (want.node24) {
    log('resolving Node 24 via `npx -y -p node@24 node` (first time downloads the npm node package)…');
    const r = spawnSync('npx', ['-y', '-p', 'node@24', 'node', '-e', 'process.stdout.write(process.execPath)'], {
      encoding: 'utf8',
      timeout: 300_000,
      cwd: os.tmpdir(),
    });
    if (r.status === 0 && r.stdout && existsSync(r.stdout.trim())) t.node24 = r.stdout.trim();
    else
      t.notes.push(
        `Node 24 not reachable through \`npx -y -p node@24 node\`: Node 24 (native zstd) rows skipped. ${(r.stderr ?? '')
          .split('\n')
          .filter((l) => !/warn/i.test(l))
          .join(' ')
          .trim()
          .slice(0, 200)}`,
      );
  }
  return t;
}

export function toolVersion(cmd: string | undefined, args: string[], re: RegExp): string | undefined {
  if (!cmd) return undefined;
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const m = re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  return m?.[1];
}

export function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** One line describing the machine, the Node versions and the emulators/tools used. */
export function machineLine(tools: Tools, extra: string[] = []): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const parts = [
    `CPU ${model}`,
    `${os.cpus().length} cores`,
    `${(os.totalmem() / GiB).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
  ];
  if (tools.node24) parts.push(`Node ${toolVersion(tools.node24, ['--version'], /(v\S+)/) ?? '24'} (npx node@24)`);
  parts.push(`azurite ${packageVersion('azurite')}`, `s3rver ${packageVersion('s3rver')}`);
  const rc = toolVersion(tools.rclone, ['version'], /rclone (v\S+)/);
  if (rc) parts.push(`rclone ${rc}`);
  const zs = toolVersion(tools.zstd, ['--version'], /(v\d+\.\d+\.\d+)/);
  if (zs) parts.push(`zstd ${zs}`);
  parts.push(...extra);
  return `Machine: ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// running a measured command

export interface RunResult {
  wallMs: number;
  /** Peak RSS in KiB of the command (with GNU time: the largest of the process and its waited-for children). */
  rssKiB?: number;
  /** CPU time (user + system) in ms of the command and its children (GNU time only). */
  cpuMs?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** sha256 and length of stdout when stdout was 'hash'. */
  stdoutSha256?: string;
  stdoutBytes?: number;
  /** Captured stdout when stdout was 'capture'. */
  stdout?: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout goes: /dev/null (default), hashed by the harness, captured, or a file path. */
  stdout?: 'null' | 'hash' | 'capture' | { file: string };
  /** Measure peak RSS (wraps in GNU time when present, else polls VmHWM). Default true. */
  rss?: boolean;
  timeoutMs?: number;
}

let rssDir: string | undefined;

export function runMeasured(cmd: string, args: string[], tools: Pick<Tools, 'time'>, o: RunOptions = {}): Promise<RunResult> {
  // After Ctrl-C the main flow may still be running: start nothing new.
  if (cleaning) return new Promise<RunResult>(() => undefined);
  const wantRss = o.rss ?? true;
  const rssFile =
    wantRss && tools.time ? path.join((rssDir ??= tempDir('archive-bench-rss-')), Math.random().toString(36).slice(2)) : undefined;
  const [file, argv] = rssFile ? [tools.time!, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  let outFd: number | undefined;
  let stdout: 'ignore' | 'pipe' | number = 'ignore';
  const mode = o.stdout ?? 'null';
  if (mode === 'null') outFd = openSync('/dev/null', 'w');
  else if (typeof mode === 'object') outFd = openSync(mode.file, 'w');
  else stdout = 'pipe';
  if (outFd !== undefined) stdout = outFd;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // Own process group, so a cleanup can kill the command together with its children (GNU time's child).
    const child = spawn(file, argv, {
      env: o.env ?? process.env,
      cwd: o.cwd ?? ROOT,
      stdio: ['ignore', stdout, 'pipe'] as StdioOptions,
      detached: true,
    });
    if (child.pid) running.add(child.pid);
    const errChunks: Buffer[] = [];
    child.stderr!.on('data', (d: Buffer) => errChunks.push(d));
    const hash = mode === 'hash' ? createHash('sha256') : undefined;
    const captured: Buffer[] = [];
    let outBytes = 0;
    if (child.stdout) {
      child.stdout.on('data', (d: Buffer) => {
        outBytes += d.length;
        if (hash) hash.update(d);
        else captured.push(d);
      });
    }
    let hwm = 0;
    const poll =
      wantRss && !rssFile && child.pid
        ? setInterval(() => {
            try {
              const m = /VmHWM:\s*(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (m) hwm = Math.max(hwm, Number(m[1]));
            } catch {
              // exited
            }
          }, 20)
        : undefined;
    const timer = o.timeoutMs ? setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), o.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - start;
      if (child.pid) running.delete(child.pid);
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      if (outFd !== undefined) closeSync(outFd);
      let rssKiB: number | undefined = hwm || undefined;
      let cpuMs: number | undefined;
      let stderr = Buffer.concat(errChunks).toString();
      if (rssFile) {
        try {
          const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
          const [m, u, sy] = (lines.at(-1) ?? '').split(' ').map(Number);
          rssKiB = m;
          if (u !== undefined && sy !== undefined && Number.isFinite(u + sy)) cpuMs = (u + sy) * 1000;
          // GNU time prefixes "Command exited with non-zero status N" on failure: keep that for the log.
          if (lines.length > 1) stderr += lines.slice(0, -1).join('\n');
        } catch {
          // killed before time wrote it
        }
        rmSync(rssFile, { force: true });
      }
      resolve({
        wallMs,
        rssKiB,
        cpuMs,
        code,
        signal,
        stderr,
        ...(hash ? { stdoutSha256: hash.digest('hex'), stdoutBytes: outBytes } : {}),
        ...(mode === 'capture' ? { stdout: Buffer.concat(captured).toString(), stdoutBytes: outBytes } : {}),
      });
    });
  });
}

/** Runs and throws with the command's stderr when it fails. */
export async function runOk(
  label: string,
  cmd: string,
  args: string[],
  tools: Pick<Tools, 'time'>,
  o: RunOptions = {},
): Promise<RunResult> {
  const r = await runMeasured(cmd, args, tools, o);
  if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code ?? r.signal}): ${cmd} ${args.join(' ')}\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Environment for the CLI: no developer credentials, no colour, hermetic profile store. */
export function cliEnv(configHome: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AZURE_|AWS_|ARCHIVE_|RCLONE_|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  env.NO_COLOR = '1';
  env.XDG_CONFIG_HOME = configHome;
  env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * rclone's remote `bench:` for s3rver at `endpoint` (path-style, s3rver's fixed keys), through
 * environment variables. AWS_CA_BUNDLE is removed: rclone refuses a custom CA bundle with its own
 * HTTP transport ("LoadCustomCABundleError"), and s3rver speaks plain HTTP anyway.
 */
export function rcloneS3Env(endpoint: string): Record<string, string | undefined> {
  return {
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: S3RVER_KEY_ID,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: S3RVER_SECRET,
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    AWS_CA_BUNDLE: undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// data

/**
 * Deterministic incompressible bytes: AES-128-CTR keystream keyed by `seed`, ~1.4 GB/s.
 * Yields `chunk`-sized buffers until `bytes` are produced.
 */
export function* pseudoRandom(bytes: number, seed: string, chunk = MiB): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const c = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunk);
  for (let left = bytes; left > 0; left -= chunk) {
    const n = Math.min(chunk, left);
    yield c.update(n === chunk ? zeros : zeros.subarray(0, n));
  }
}

export function pseudoRandomBuffer(bytes: number, seed: string): Buffer {
  return Buffer.concat([...pseudoRandom(bytes, seed)]);
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function sha256File(p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(p, { highWaterMark: 4 * MiB })
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Relative paths of all files under root, sorted. */
export function walk(root: string, dir = root): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(root, p));
    else out.push(path.relative(root, p));
  }
  return out.sort();
}

/**
 * Checks that `dir` holds exactly the expected files (relative path → sha256) with the right bytes.
 * Returns a one-line problem description, or undefined when everything matches.
 */
export async function verifyTree(dir: string, expected: Map<string, string>): Promise<string | undefined> {
  const files = walk(dir);
  const have = new Set(files);
  const missing = [...expected.keys()].filter((k) => !have.has(k));
  const extra = files.filter((f) => !expected.has(f));
  const wrong: string[] = [];
  let i = 0;
  const keys = [...expected.keys()].filter((k) => have.has(k));
  const worker = async (): Promise<void> => {
    while (i < keys.length) {
      const k = keys[i++]!;
      if ((await sha256File(path.join(dir, k))) !== expected.get(k)) wrong.push(k);
    }
  };
  await Promise.all([worker(), worker()]);
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.length} missing (e.g. ${missing[0]})`);
  if (wrong.length) problems.push(`${wrong.length} with wrong bytes (e.g. ${wrong[0]})`);
  if (extra.length) problems.push(`${extra.length} unexpected files (e.g. ${extra[0]})`);
  return problems.length ? problems.join('; ') : undefined;
}

// ---------------------------------------------------------------------------------------------
// statistics and output

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function fmtRss(kib: number | undefined): string {
  return kib === undefined || !Number.isFinite(kib) ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`;
}

export function fmtBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(n % GiB ? 2 : 0)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB`;
  return `${n} B`;
}

export function markdownTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// a WAN-shaped link in user space (no kernel netem on these machines)

export interface ShapedLink {
  /** http://127.0.0.1:PORT — give it to a tool as the endpoint in place of the emulator's. */
  url: string;
  /** Connections accepted so far (to say how many streams a tool opened). */
  connections(): number;
  /** Most connections open at once since the last reset. */
  peakConnections(): number;
  /** Starts counting afresh (between runs). */
  reset(): void;
  stop(): Promise<void>;
}

/**
 * A TCP proxy that makes loopback look like a long-distance link: every connection waits one round
 * trip before its first byte, every chunk is delayed by half the RTT in each direction, and each
 * connection's downstream (server → client) is capped at `bytesPerSec` by a per-connection pacer,
 * as a per-flow bottleneck (a congested path, a per-connection limit of a CDN or cloud front end)
 * would. Upstream backpressure keeps the proxy's buffering near `bufferBytes` per connection.
 */
export async function startShapedLink(
  upstream: { host: string; port: number },
  o: { rttMs: number; bytesPerSec: number; bufferBytes?: number },
): Promise<ShapedLink> {
  const net = await import('node:net');
  const half = o.rttMs / 2;
  const buffer = o.bufferBytes ?? 1 << 20;
  const slice = 16 << 10;
  let accepted = 0;
  let open = 0;
  let peak = 0;
  const sockets = new Set<import('node:net').Socket>();
  /** Forwards from → to, delayed by `half` ms, paced at `rate` bytes/s when given. */
  const forward = (from: import('node:net').Socket, to: import('node:net').Socket, rate?: number) => {
    const queue: Array<{ at: number; buf: Buffer }> = [];
    let queued = 0;
    let nextFree = 0;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const pump = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length) {
        const head = queue[0]!;
        const at = Math.max(head.at, nextFree);
        if (at > now + 1) {
          timer = setTimeout(pump, at - now);
          return;
        }
        queue.shift();
        queued -= head.buf.length;
        if (rate) nextFree = Math.max(nextFree, now) + (head.buf.length / rate) * 1000;
        if (!to.destroyed) to.write(head.buf);
        if (queued < buffer && from.isPaused()) from.resume();
      }
      if (ended && !to.destroyed) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      const at = performance.now() + half;
      for (let i = 0; i < chunk.length; i += slice) queue.push({ at, buf: chunk.subarray(i, i + slice) });
      queued += chunk.length;
      if (queued >= buffer) from.pause();
      if (!timer) pump();
    });
    from.on('end', () => {
      ended = true;
      if (!timer) pump();
    });
  };
  const server = net.createServer((client) => {
    accepted++;
    peak = Math.max(peak, ++open);
    sockets.add(client);
    client.pause();
    const up = net.connect(upstream.port, upstream.host);
    sockets.add(up);
    up.pause();
    const close = () => {
      client.destroy();
      up.destroy();
    };
    client.once('close', () => {
      open--;
      sockets.delete(client);
      close();
    });
    up.once('close', () => {
      sockets.delete(up);
      close();
    });
    client.on('error', close);
    up.on('error', close);
    // The handshake's round trip, then data flows with half the RTT each way.
    setTimeout(() => {
      forward(client, up);
      forward(up, client, o.bytesPerSec);
      client.resume();
      up.resume();
    }, o.rttMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    peakConnections: () => peak,
    reset: () => {
      accepted = 0;
      peak = open;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
