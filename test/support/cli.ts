/**
 * Runs the built CLI (bin/archive.js → dist/) as a user would, capturing output and exit code.
 *
 * Every spawned CLI is hermetic (see cleanEnv): a temp HOME and config dir, empty AWS config and
 * credential files, IMDS disabled, no Azure/AWS/archive variables of the developer, no `az` on PATH,
 * and a preloaded loopback guard (loopback-guard.mjs) that makes any connection or DNS lookup to a
 * non-loopback target fail the test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'archive.js');
/** Exit code of a CLI the loopback guard stopped (see loopback-guard.mjs). */
export const GUARD_EXIT = 86;
export const GUARD_PRELOAD = `--import=${pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'loopback-guard.mjs')).href}`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBuf: Buffer;
}

/** Every output of every run, so a suite can assert that no secret was ever printed. */
export const transcript: string[] = [];

/**
 * One throwaway home per test process: HOME, XDG_CONFIG_HOME, the archive config dir and empty
 * AWS files live here, so no test reads the developer's ~/.config/archive or ~/.aws.
 */
export const hermetic = (() => {
  const root = mkdtempSync(join(tmpdir(), 'archive-test-home-'));
  const home = join(root, 'home');
  const config = join(home, '.config');
  mkdirSync(join(config, 'archive'), { recursive: true, mode: 0o700 });
  const awsConfig = join(root, 'aws-config');
  const awsCredentials = join(root, 'aws-credentials');
  writeFileSync(awsConfig, '');
  writeFileSync(awsCredentials, '');
  const guardLog = join(root, 'loopback-guard.log');
  process.on('exit', () => {
    // A connection the guard stopped in a child spawned outside runCli still fails this file.
    const blocked = existsSync(guardLog) ? readFileSync(guardLog, 'utf8').trim() : '';
    const expected = guardTripsExpected;
    rmSync(root, { recursive: true, force: true });
    const lines = blocked ? blocked.split('\n').length : 0;
    if (lines > expected) {
      process.stderr.write(`loopback guard: a spawned CLI tried to leave loopback:\n${blocked}\n`);
      process.exitCode = 1;
    }
  });
  return { root, home, config, archiveConfig: join(config, 'archive'), awsConfig, awsCredentials, guardLog };
})();

let guardTripsExpected = 0;

/** Variables that would point an SDK at a real identity, account, proxy or credential. */
const DROP =
  /^(AZURE_|AWS_|ARCHIVE_|MSI_|IDENTITY_|IMDS_|ACTIONS_ID_TOKEN_|GOOGLE_|(HTTPS?|ALL|NO)_PROXY$|(https?|all|no)_proxy$|NODE_EXTRA_CA_CERTS$|SSL_CERT_|REQUESTS_CA_BUNDLE$)/;

/** PATH without any directory that holds an `az` program (tests that want one put their own first). */
function pathWithoutAz(path: string | undefined): string {
  return (path ?? '')
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, 'az')))
    .join(delimiter);
}

/**
 * Environment for a spawned CLI: the developer's own cloud credentials stripped, a temp home, and
 * the loopback guard preloaded. `extra` wins (undefined deletes). A test that sets HOME or
 * XDG_CONFIG_HOME itself gets no ARCHIVE_CONFIG_DIR, so the product's own lookup is exercised.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (DROP.test(k)) continue;
    env[k] = v;
  }
  env.NO_COLOR = '1';
  env.HOME = hermetic.home;
  env.XDG_CONFIG_HOME = hermetic.config;
  env.ARCHIVE_CONFIG_DIR = hermetic.archiveConfig;
  env.AWS_CONFIG_FILE = hermetic.awsConfig;
  env.AWS_SHARED_CREDENTIALS_FILE = hermetic.awsCredentials;
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.PATH = pathWithoutAz(env.PATH);
  env.ARCHIVE_TEST_GUARD_LOG = hermetic.guardLog;
  env.NODE_OPTIONS = [env.NODE_OPTIONS, GUARD_PRELOAD].filter(Boolean).join(' ');
  if (('HOME' in extra || 'XDG_CONFIG_HOME' in extra) && !('ARCHIVE_CONFIG_DIR' in extra)) delete env.ARCHIVE_CONFIG_DIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Lines the loopback guard has recorded in this process so far. */
export function guardTrips(): string[] {
  return existsSync(hermetic.guardLog) ? readFileSync(hermetic.guardLog, 'utf8').trim().split('\n').filter(Boolean) : [];
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
  /** Only for the test that proves the guard: a blocked connection is the expected outcome. */
  expectGuardTrip?: boolean;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const before = guardTrips().length;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(opts.env),
      cwd: opts.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBuf = Buffer.concat(out);
      const r = { code, signal, stdout: stdoutBuf.toString(), stderr: Buffer.concat(err).toString(), stdoutBuf };
      transcript.push(r.stdout, r.stderr);
      const trips = guardTrips().slice(before);
      // Counted either way: the exit check below is for children spawned outside runCli.
      guardTripsExpected += trips.length;
      if (!opts.expectGuardTrip && (trips.length || code === GUARD_EXIT)) {
        reject(new Error(`archive ${args.join(' ')} tried to leave loopback: ${trips.join('; ') || r.stderr}`));
        return;
      }
      resolve(r);
    });
    child.stdin.end(opts.input ?? '');
  });
}
