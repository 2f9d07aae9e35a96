/**
 * `npm run demo`: the README's first command. Starts Azurite and s3rver on free loopback ports,
 * seeds them with vendor-shaped archives (Vespa Cloud, Cloudflare Logpush, Amplitude, Logz.io),
 * saves demo profiles in a throw-away config dir, then runs the built CLI the way a user would and
 * prints each command before its output.
 *
 *   npm run demo                 run the tour, stop the emulators, remove the demo data
 *   npm run demo -- --keep       run the tour, then keep the emulators up and print commands to try
 *   npm run demo -- --dir DIR    put the config and pulled files in DIR (kept afterwards)
 *
 * Nothing touches the user's own profiles or clouds: ARCHIVE_CONFIG_DIR points into the demo's
 * directory and the user's AZURE_*, AWS_* and ARCHIVE_* variables are not passed on.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, BIN } from '../support/cli.js';
import { colorEnabled } from '../../src/output/color.js';
import { CLOUDFLARE, LOGZIO, VESPA_AWS, compressor, makeDemoData } from './data.js';
import { ACCOUNT, demoProfiles, seedWorld, startWorld, type DemoWorld } from './world.js';

const USAGE = `usage: npm run demo [-- --keep] [-- --dir DIR]
  --keep      keep the emulators running after the tour and print commands to try (Ctrl-C stops)
  --dir DIR   keep the demo config and pulled files in DIR instead of a temp dir`;

let opts: { keep: boolean; dir?: string; help: boolean };
try {
  const { values } = parseArgs({
    options: { keep: { type: 'boolean', default: false }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: false,
  });
  opts = { keep: !!values.keep, dir: values.dir, help: !!values.help };
} catch (e) {
  process.stderr.write(`demo: ${(e as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const color = colorEnabled(process.stdout, process.env);
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const cyan = (s: string) => (color ? `\x1b[36m${s}\x1b[39m` : s);
const say = (s = '') => process.stdout.write(`${s}\n`);

let section = 0;
function header(title: string): void {
  section++;
  say();
  say(bold(`=== ${section}. ${title} ===`));
}

/** Quotes an argument for a POSIX shell only when it needs it, so printed commands paste as-is. */
function q(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

interface Env {
  [k: string]: string | undefined;
}

interface RunOpts {
  /** What to print after `$ ` instead of `archive ARGS`. */
  show?: string;
  input?: string;
  capture?: boolean;
  /** Print only the first N lines of stdout, then close the pipe (`| head -n N`). */
  head?: number;
}

let childEnv: Env = {};
/** ARCHIVE_NOW of the demo's own environment: the instant the data is made around, and the commands' now. */
const fixedNow = process.env.ARCHIVE_NOW || undefined;
let workdir = '';
let stopping = false;

class CommandFailed extends Error {}

function archive(args: string[], o: RunOpts = {}): Promise<{ code: number; stdout: string }> {
  say(cyan(`$ ${o.show ?? ['archive', ...args.map(q)].join(' ')}`));
  return new Promise((resolve, reject) => {
    const piped = o.capture || o.head !== undefined;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: workdir,
      env: childEnv as NodeJS.ProcessEnv,
      stdio: [o.input !== undefined ? 'pipe' : 'ignore', piped ? 'pipe' : 'inherit', 'inherit'],
    });
    let out = '';
    let shown = 0;
    if (piped) {
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        if (o.head === undefined) {
          out += d;
          return;
        }
        if (shown >= o.head) return;
        out += d;
        let nl: number;
        while (shown < o.head && (nl = out.indexOf('\n')) >= 0) {
          say(out.slice(0, nl));
          out = out.slice(nl + 1);
          shown++;
        }
        // Like `head`: close our end; the CLI sees EPIPE and stops quietly.
        if (shown >= o.head) child.stdout!.destroy();
      });
    }
    if (o.input !== undefined) child.stdin!.end(o.input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const c = code ?? (signal ? 128 + 2 : 1);
      if (c !== 0 && !stopping) reject(new CommandFailed(`\`archive ${args[0]}\` exited with ${c}${signal ? ` (${signal})` : ''}`));
      else resolve({ code: c, stdout: out });
    });
  });
}

async function tree(dir: string): Promise<string[]> {
  const rows: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else rows.push(`${String((await stat(p)).size).padStart(10)}  ${relative(workdir, p)}`);
    }
  };
  await walk(dir);
  return rows;
}

let world: DemoWorld | undefined;
let ownWorkdir = false;

async function cleanup(): Promise<void> {
  stopping = true;
  await world?.stop();
  world = undefined;
  if (ownWorkdir && workdir) await rm(workdir, { recursive: true, force: true });
}

let interrupts = 0;
let onInterrupt: (() => void) | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++interrupts > 1) process.exit(130);
    if (onInterrupt) return onInterrupt();
    stopping = true;
    say('\ninterrupted: stopping the emulators…');
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    throw new Error('dist/ is missing: build first with `npm run build` (`npm run demo` does that for you)');
  }
  const started = Date.now();
  if (opts.dir) {
    workdir = opts.dir;
    await mkdir(workdir, { recursive: true });
  } else {
    workdir = await mkdtemp(join(tmpdir(), 'archive-demo-'));
    ownWorkdir = true;
  }
  const configDir = join(workdir, 'config');
  // The user's own cloud credentials and profiles stay out of the demo.
  childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AZURE_|AWS_|ARCHIVE_)/.test(k)) childEnv[k] = v;
  // Pull's records of what it wrote (normally under ~/.local/state/archive) stay in the demo's dir too.
  // A fixed now (ARCHIVE_NOW, as the CLI reads it) seeds the data and is handed to every command,
  // so a run's windows see the same objects whatever the minute; else the wall clock.
  if (fixedNow) childEnv.ARCHIVE_NOW = fixedNow;
  Object.assign(childEnv, {
    ARCHIVE_CONFIG_DIR: configDir,
    ARCHIVE_STATE_DIR: join(configDir, 'state'),
    ARCHIVE_NO_PROMPT: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  say(bold('archive demo') + dim(` — ${ROOT}`));
  say(`Starting Azurite (Azure Blob, storage account ${ACCOUNT}) and s3rver (S3) on free loopback ports…`);
  world = await startWorld();
  const { s3 } = world;
  say(`  Azure Blob emulator: ${world.serviceUrl}`);
  say(`  S3 emulator:         ${s3.endpoint}`);

  const comp = compressor();
  const data = makeDemoData(fixedNow ? Date.parse(fixedNow) : Date.now(), comp);
  say(`Seeding vendor-shaped archives (${comp.zstdVia ? `zstd via ${comp.zstdVia}, ` : ''}gzip via node:zlib)…`);
  for (const n of data.notes) say(`  note: ${n}`);
  const counted = new Map<string, { n: number; bytes: number; where: string }>();
  await seedWorld(world, data, (container, where, objects) => {
    const c = counted.get(container) ?? { n: 0, bytes: 0, where };
    c.n += objects.length;
    c.bytes += objects.reduce((s, o) => s + (typeof o.body === 'string' ? Buffer.byteLength(o.body) : o.body.length), 0);
    counted.set(container, c);
  });
  for (const [name, c] of counted)
    say(`  ${name.padEnd(17)} ${String(c.n).padStart(3)} objects ${(c.bytes / 1024).toFixed(0).padStart(6)} KiB  ${dim(c.where)}`);

  header('Profiles: one saved location + credential per vendor (ARCHIVE_CONFIG_DIR keeps yours untouched)');
  for (const p of demoProfiles(world)) {
    const full = ['profile', 'add', p.name, ...p.args, '--secret-stdin'];
    await archive(full, { input: p.secret, show: `echo "$SECRET" | archive ${full.map(q).join(' ')}` });
  }
  await archive(['profile', 'list']);

  header('Containers and buckets the credentials can see');
  await archive(['containers']);
  await archive(['buckets', 'logzio:']);

  header('List: vendor layouts read the time from the key, so --since works on what the vendor wrote');
  await archive(['list', 'vespa:', '--since', '6h']);
  await archive(['list', 'cloudflare:', '--since', '2h', '--long']);
  say(dim("# Vespa Cloud on AWS: a zone's dotted bucket, requester pays, your tenant's prefix (the region comes from the zone):"));
  await archive(['list', 'vespa-aws:', '--since', '2h']);

  header('Validate: what can each credential really do?');
  say(dim('# Cloudflare Logpush proves ownership with a challenge file; read its token:'));
  await archive(['validate', 'cloudflare:', '--no-write', '--challenge']);
  say(dim('# Logpush needs a write-only SAS valid for years; create one and check that it can write:'));
  const sas = await archive(['sas', 'create', 'cloudflare:', '--for', 'logpush'], {
    capture: true,
    show: 'SAS_URL=$(archive sas create cloudflare: --for logpush)',
  });
  const sasUrl = sas.stdout.trim();
  await archive(['validate', sasUrl, '--require', 'write'], { show: 'archive validate "$SAS_URL" --require write' });
  say(dim('# Logz.io only archives into a bucket holding its logzio-verified marker:'));
  await archive(['validate', 'logzio:', '--marker', 'logzio-verified']);

  header('Pull --decompress: verified, resumable downloads, decoded on the fly');
  say(dim(`# A Vespa Cloud heap dump and JFR recording (${comp.zstd ? '.zst' : '.gz'}), decompressed:`));
  await archive(['pull', 'vespa:', './pulled/vespa', '--kind', 'heapdump,jfr', '--decompress']);
  say(dim('# Amplitude hourly exports; a backfill re-exported two hours, --dedupe keeps the newest copy:'));
  await archive(['pull', 'amplitude:', './pulled/amplitude', '--since', '6h', '--dedupe', '--decompress']);
  say(dim('# Written:'));
  for (const r of await tree(join(workdir, 'pulled'))) say(r);

  header('Cat: stream objects, decompressed, in time order — ready for jq');
  await archive(['cat', 'vespa:', '--kind', 'access', '--since', '2h'], {
    head: 5,
    show: 'archive cat vespa: --kind access --since 2h | head -n 5',
  });

  say();
  say(bold(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`));
  if (!opts.keep) {
    say('Keep the emulators running to try commands yourself:  npm run demo -- --keep');
    return;
  }

  const bin = join(ROOT, 'bin', 'archive.js');
  // README's examples read this one from the environment (a SAS the vendor would hand out).
  const vespaSas = await archive(['sas', 'create', 'vespa:', '--for', 'reader'], {
    capture: true,
    show: 'VESPA_SAS_URL=$(archive sas create vespa: --for reader)',
  });
  say();
  say(bold("The emulators keep running. In another shell, paste this; then README's examples run as written:"));
  say();
  say(`  cd ${q(workdir)}`);
  say(`  export ARCHIVE_CONFIG_DIR=${q(configDir)} ARCHIVE_STATE_DIR=${q(join(configDir, 'state'))}`);
  if (fixedNow) say(`  export ARCHIVE_NOW=${q(fixedNow)}`);
  say(`  archive() { node ${q(bin)} "$@"; }`);
  say(dim(`  # az://${ACCOUNT}/… and s3://… locations, with credentials from the environment:`));
  for (const [k, v] of Object.entries(world.env)) say(`  export ${k}=${q(v)}`);
  say(`  export VESPA_SAS_URL=${q(vespaSas.stdout.trim())}`);
  say();
  say(dim('  # then, for example:'));
  for (const c of [
    'archive profile show vespa',
    'archive list vespa: --kind heapdump,jfr --long',
    `archive list vespa: --host 'h1001a*' --since 3h`,
    `archive list az://${ACCOUNT}/${CLOUDFLARE.container}/${CLOUDFLARE.subpath}/ --since 1h --json`,
    'archive list amplitude: --ndjson | head -n 3',
    `archive pull amplitude: ./events --dedupe --dry-run`,
    `archive cat cloudflare: --since 1h | head -n 3`,
    `archive sas inspect "$VESPA_SAS_URL"`,
    `archive validate s3://${LOGZIO.bucket} --marker logzio-verified --json`,
    `archive list s3://${VESPA_AWS.bucket}/${VESPA_AWS.tenant}/ --request-payer requester --kind access --since 1h`,
    'archive completion bash > /tmp/archive.bash && source /tmp/archive.bash',
  ])
    say(`  ${c}`);
  say();
  say(bold('Press Ctrl-C to stop the emulators') + (ownWorkdir ? ' and remove the demo data.' : '.'));
  await new Promise<void>((resolve) => {
    onInterrupt = resolve;
  });
  say('\nstopping the emulators…');
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (e) {
  process.stderr.write(`demo: ${e instanceof CommandFailed ? e.message : ((e as Error).stack ?? e)}\n`);
  await cleanup();
  process.exit(e instanceof CommandFailed ? 1 : 1);
}
