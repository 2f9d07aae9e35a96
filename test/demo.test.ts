/**
 * The README's first command, end to end: `npm run demo` runs test/demo/demo.ts after building.
 * Here it runs non-interactively (no TTY, no stdin) against its own emulators; the output of each
 * section and the files it pulled are checked, and so is `--keep` (emulators stay up until SIGINT,
 * and the printed commands work meanwhile).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cleanEnv, runCli } from './support/cli.js';
import { compressor } from './demo/data.js';

/** The demo seeds .zst whenever this machine can make zstd frames, .gz otherwise: expect exactly that. */
const EXT = compressor().zstd ? 'zst' : 'gz';

const DEMO = join(ROOT, 'test', 'demo', 'demo.ts');

interface Run {
  code: number | null;
  out: string;
}

/**
 * The demo's now: the last half past the hour (at most an hour ago). Its data is made around the hour it runs in and
 * its examples ask for `--since 2h`, `6h`: pinned to minute 30, which objects a window holds no
 * longer depends on the minute the suite reaches this file (the wall clock's day and hour still
 * vary; the windows hold across midnight). In the past, near the wall clock, so a SAS made from it is already valid.
 */
const DEMO_NOW = new Date(Math.floor((Date.now() - 30 * 60_000) / 3_600_000) * 3_600_000 + 30 * 60_000).toISOString();

function runDemo(args: string[], env: NodeJS.ProcessEnv, onOutput?: (all: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DEMO, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const add = (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, child);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The text between the header line containing `from` and the next `$ ` command line. */
function after$(out: string, command: string): string {
  const at = out.indexOf(`$ ${command}`);
  assert.ok(at >= 0, `the demo did not run \`${command}\`:\n${out}`);
  const rest = out.slice(at + command.length + 2);
  const next = rest.search(/^(\$ |=== |# )/m);
  return next < 0 ? rest : rest.slice(0, next);
}

function portClosed(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

describe('npm run demo', () => {
  let work: string;
  let home: string;
  let run: Run;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'archive-demo-test-'));
    home = await mkdtemp(join(tmpdir(), 'archive-demo-home-'));
    // A HOME of its own proves the demo never writes the user's real config.
    run = await runDemo(['--dir', work], cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ARCHIVE_NOW: DEMO_NOW }));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  test('runs every section and exits 0', () => {
    assert.equal(run.code, 0, run.out);
    const order = [
      'archive profile add vespa',
      '$ archive containers',
      '$ archive list vespa: --since 6h',
      '$ archive validate',
      '$ archive pull vespa:',
      '$ archive cat vespa:',
      'Demo finished',
    ];
    let at = -1;
    for (const s of order) {
      const i = run.out.indexOf(s);
      assert.ok(i > at, `"${s}" missing or out of order:\n${run.out}`);
      at = i;
    }
    assert.match(run.out, /npm run demo -- --keep/);
    assert.doesNotMatch(run.out, /^demo: /m);
  });

  test('containers shows the seeded vendor containers', () => {
    const out = after$(run.out, 'archive containers');
    for (const c of ['vespa-logs', 'cf-logs', 'amplitude', 'exports']) assert.match(out, new RegExp(`\\b${c}\\b`));
    assert.match(after$(run.out, 'archive buckets logzio:'), /my-logzio-archive/);
  });

  test('list --since 6h shows the vendor keys by their key time, and filters the old ones', () => {
    const vespa = after$(run.out, 'archive list vespa: --since 6h');
    for (const host of ['h1001a.prod.vespa-app.example', 'h1002b.prod.vespa-app.example']) {
      assert.match(
        vespa,
        new RegExp(
          `access +${host.replace(/\./g, '\\.')} +acme/shop-search/default/${host.replace(/\./g, '\\.')}/logs/access/JsonAccessLog\\.default\\.\\d{14}\\.${EXT}`,
        ),
      );
    }
    assert.match(vespa, new RegExp(`heapdump .*/service-dump/default-container\\.0-\\d{13}/jvm-heap-dump\\.bin\\.${EXT}`));
    assert.match(vespa, new RegExp(`jfr .*/service-dump/default-container\\.0-\\d{13}/recording\\.jfr\\.${EXT}`));
    // Five hourly files per host in the window; the two-day-old one is filtered out.
    assert.equal(vespa.match(/JsonAccessLog/g)?.length, 10, vespa);
    // Vespa on AWS: the tenant's keys with their hosts, the older name without the cluster too.
    const aws = after$(run.out, 'archive list vespa-aws: --since 2h');
    assert.match(
      aws,
      /access +h1001a\.prod\.vespa-app\.example +mytenant\/shop-search\/default\/h1001a\.prod\.vespa-app\.example\/logs\/access\/JsonAccessLog\.default\.\d{14}/,
    );
    assert.match(aws, /access +h1002b\.prod\.vespa-app\.example +mytenant\/.*\/logs\/access\/JsonAccessLog\.\d{14}/);
    const cf = after$(run.out, 'archive list cloudflare: --since 2h --long');
    assert.match(cf, /http_requests\/\d{8}\/\d{8}T\d{6}Z_\d{8}T\d{6}Z_[0-9a-f]{8}\.log\.gz/);
    assert.match(cf, /challenge .*ownership-challenge-[0-9a-f]+\.txt/);
  });

  test('validate prints the probe tables, the Cloudflare challenge token and the Logz.io marker', () => {
    assert.match(after$(run.out, 'archive validate cloudflare: --no-write --challenge'), /^challenge token: \S{20,}$/m);
    const sas = after$(run.out, 'archive validate "$SAS_URL" --require write');
    assert.match(sas, /^write\*? +✓/m);
    assert.match(sas, /^list +✗ +AuthorizationPermissionMismatch/m);
    const lz = after$(run.out, 'archive validate logzio: --marker logzio-verified');
    for (const p of ['list', 'read', 'write', 'delete', 'marker logzio-verified']) assert.match(lz, new RegExp(`^${p} +✓`, 'm'));
  });

  test('pull --decompress wrote decoded files; --dedupe kept one copy per Amplitude partition', async () => {
    const pulled = await files(join(work, 'pulled'));
    const heap = pulled.find((f) => f.endsWith('/jvm-heap-dump.bin'));
    const jfr = pulled.find((f) => f.endsWith('/recording.jfr'));
    assert.ok(heap && jfr, pulled.join('\n'));
    assert.equal((await readFile(heap)).subarray(0, 18).toString('latin1'), 'JAVA PROFILE 1.0.2');
    assert.equal((await stat(heap)).size, 6 * 1024 * 1024);
    assert.deepEqual([...(await readFile(jfr)).subarray(0, 4)], [0x46, 0x4c, 0x52, 0x00]);
    const amp = pulled.filter((f) => f.includes('/amplitude/'));
    assert.equal(amp.length, 10, amp.join('\n'));
    assert.equal(amp.filter((f) => f.includes('-backfill/')).length, 2, 'the newer backfill copies win');
    for (const f of amp) {
      assert.ok(f.endsWith('.json'), f);
      const lines = (await readFile(f, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 150);
      assert.ok(JSON.parse(lines[0]).event_type);
    }
    assert.equal(pulled.filter((f) => /\.(zst|gz|archive-part)$/.test(f)).length, 0, pulled.join('\n'));
    assert.match(after$(run.out, 'archive pull amplitude:'), /2 duplicates skipped \(--dedupe\)/);
  });

  test('cat | head printed decoded JSON lines', () => {
    const out = after$(run.out, 'archive cat vespa: --kind access --since 2h | head -n 5');
    const lines = out.split('\n').filter((l) => l.startsWith('{'));
    assert.equal(lines.length, 5, out);
    for (const l of lines) assert.equal(typeof JSON.parse(l).uri, 'string');
  });

  test('profiles went to the demo config dir (mode 600), not the user config', async () => {
    const st = await stat(join(work, 'config', 'profiles.json'));
    assert.equal(st.mode & 0o777, 0o600);
    // Nothing of the user's config: the only thing a run may leave in HOME is Node >= 22.1's
    // compile cache (bin/archive.js), in ~/.cache/archive-cli/.
    const left = await readdir(home);
    assert.deepEqual(
      left.filter((n) => n !== '.cache'),
      [],
    );
    if (left.includes('.cache')) assert.deepEqual(await readdir(join(home, '.cache')), ['archive-cli']);
  });

  test('the emulators were stopped', async () => {
    const urls = [...run.out.matchAll(/emulator: +(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
    assert.equal(urls.length, 2, run.out);
    for (const u of urls) assert.ok(await portClosed(u), `${u} still answers`);
  });
});

describe('npm run demo -- --keep', () => {
  test('keeps the emulators up with commands to paste, and stops them on SIGINT', async () => {
    const work = await mkdtemp(join(tmpdir(), 'archive-demo-keep-'));
    let tried: Promise<void> | undefined;
    let tryError: unknown;
    const r = await runDemo(['--keep', '--dir', work], cleanEnv({ ARCHIVE_NOW: DEMO_NOW }), (out, child) => {
      if (tried || !out.includes('Press Ctrl-C')) return;
      tried = (async () => {
        try {
          // What the user is told to paste works while the demo waits.
          const cfg = /export ARCHIVE_CONFIG_DIR=(\S+)/.exec(out)?.[1];
          const cs = /export AZURE_STORAGE_CONNECTION_STRING='([^']+)'/.exec(out)?.[1];
          assert.ok(cfg && cs, out);
          const viaProfile = await runCli(['list', 'vespa:', '--kind', 'heapdump'], { env: { ARCHIVE_CONFIG_DIR: cfg } });
          assert.equal(viaProfile.code, 0, viaProfile.stderr);
          assert.match(viaProfile.stdout, /jvm-heap-dump/);
          const direct = await runCli(['containers'], { env: { AZURE_STORAGE_CONNECTION_STRING: cs } });
          assert.equal(direct.code, 0, direct.stderr);
          assert.match(direct.stdout, /\bamplitude\b/);
        } catch (e) {
          tryError = e;
        } finally {
          child.kill('SIGINT');
        }
      })();
    });
    await tried;
    if (tryError) throw tryError;
    try {
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /stopping the emulators/);
      for (const c of ['archive list vespa:', 'archive pull amplitude:', 'archive validate s3://my-logzio-archive'])
        assert.match(r.out, new RegExp(`^\\s*(\\$ )?${c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`, 'm'), c);
      const urls = [...r.out.matchAll(/emulator: +(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
      assert.equal(urls.length, 2, r.out);
      for (const u of urls) assert.ok(await portClosed(u), `${u} still answers`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
