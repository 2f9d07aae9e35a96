/**
 * Cold tiers (issue #27): list shows each object's tier and restore state; pull, cat and query
 * never read an archived object — they name it with the exact `archive restore …` command, read
 * the rest and exit 5 (0 with --skip-archived); `archive restore` asks for what is archived,
 * idempotently, with --dry-run estimates and --wait; `pull --wait-restore` does all three.
 *
 * Azure runs against Azurite's real Archive tier: Set Blob Tier to Archive, 409 BlobArchived on
 * reads, Set Blob Tier back (202) and Copy Blob with a tier. What Azurite cannot show — a blob
 * that stays in Archive while it rehydrates (its rehydration is instant) — comes from
 * test/support/cold-proxy.ts in front of it, and each test that uses it says so. S3 Glacier is the
 * proxy's throughout: s3rver lists every object as STANDARD and has no RestoreObject.
 *
 * The clock: every window counts from one fixed instant (NOW, in process `now`, ARCHIVE_NOW when
 * spawned), 00:30 on the first of a month, so `--since 2h` crosses midnight and a month's end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { runCli, hermetic } from './support/cli.js';
import { runInProcess } from './support/io.js';
import { startProvider, type AzureFixture, type ProviderFixture } from './support/providers.js';
import { azureService } from './support/seed.js';
import { startHookProxy } from './support/hook-proxy.js';
import { startColdProxy, type ColdProxy } from './support/cold-proxy.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';

const NOW = new Date('2026-03-01T00:30:00Z');
/** `--since 2h` from NOW: 2026-02-28T22:30:00Z. */
const SINCE = '2026-02-28T22:30:00Z';
/** Cloudflare Logpush keys around NOW: a and b before midnight on the last day of February, c after it, d outside the window. */
const K = {
  a: 'http/20260228/20260228T231000Z_20260228T232000Z_a1.log.gz',
  b: 'http/20260228/20260228T234000Z_20260228T235000Z_b2.log.gz',
  c: 'http/20260301/20260301T001000Z_20260301T002000Z_c3.log.gz',
  d: 'http/20260227/20260227T100000Z_20260227T101000Z_d4.log.gz',
};
type Name = keyof typeof K;
const records = (name: string) => `${Array.from({ length: 3 }, (_, i) => JSON.stringify({ obj: name, i })).join('\n')}\n`;
const body = (name: string) => gzipSync(records(name));
const SIZE = Object.fromEntries(Object.entries(K).map(([n]) => [n, body(n).length])) as Record<Name, number>;

function run(argv: string[], env: Record<string, string>, extra: { tty?: boolean; columns?: number } = {}) {
  return runInProcess(argv, { env, now: NOW, ...extra });
}

async function seedFresh(p: ProviderFixture, container: string): Promise<void> {
  await p.seed(
    container,
    (Object.keys(K) as Name[]).map((n) => ({ key: K[n], body: body(n) })),
  );
}

async function setTier(p: AzureFixture, container: string, names: Name[], tier: 'Archive' | 'Hot'): Promise<void> {
  const cc = azureService(p.emu).getContainerClient(container);
  for (const n of names) await cc.getBlobClient(K[n]).setAccessTier(tier);
}

/** The `archive restore …` line of a run's stderr (the hint, or a `restore:` line with --skip-archived). */
function restoreLine(stderr: string): string {
  const m = /^(?:hint: | {2}restore: )(archive restore .*)$/m.exec(stderr);
  assert.ok(m, `no restore command in:\n${stderr}`);
  return m[1];
}

/** The words bash makes of a printed command line (what a person pasting it runs). */
function shellWords(line: string): string[] {
  const r = spawnSync('bash', ['-c', `archive() { for a in "$@"; do printf '%s\\0' "$a"; done; }; ${line}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'archive-cold-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('Azure: the real Archive tier in Azurite', () => {
  let p: AzureFixture;
  before(async () => {
    p = await startProvider('azure');
  });
  after(() => p?.stop());

  test('list: --long and -o ndjson/csv name each tier; --summary counts bytes per tier', async () => {
    await seedFresh(p, 'list-tiers');
    await setTier(p, 'list-tiers', ['a', 'b'], 'Archive');
    const loc = p.loc('list-tiers', 'http/');
    const long = await run(['list', loc, '--long', '--since', '2h'], p.env);
    assert.equal(long.code, 0, long.stderr);
    const tierOf = (key: string) =>
      long.stdout
        .split('\n')
        .find((l) => l.endsWith(key))
        ?.split(/\s+/)
        .at(-2);
    assert.deepEqual([tierOf(K.a), tierOf(K.b), tierOf(K.c)], ['Archive', 'Archive', 'Hot']);
    assert.ok(!long.stdout.includes(K.d), 'outside the window');

    const nd = await run(['list', loc, '--ndjson'], p.env);
    const rows = nd.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; tier?: string; cold?: string });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    assert.deepEqual([byKey[K.a].tier, byKey[K.a].cold], ['Archive', 'archived']);
    assert.deepEqual([byKey[K.c].tier, byKey[K.c].cold], ['Hot', undefined]);

    const csv = await run(['list', loc, '-o', 'csv', '--sort', 'key'], p.env);
    const [head, ...lines] = csv.stdout.trim().split('\n');
    assert.equal(head.split(',').at(-1), 'tier');
    assert.deepEqual(
      lines.map((l) => l.split(',').at(-1)),
      ['Hot', 'Archive', 'Archive', 'Hot'], // by key: d, a, b, c
    );

    const summary = await run(['list', loc, '--summary', '--json'], p.env);
    const s = JSON.parse(summary.stdout) as { summary: { tiers: Array<{ name: string; objects: number; bytes: number }> } };
    assert.deepEqual(
      s.summary.tiers,
      [
        { name: 'Hot', objects: 2, bytes: SIZE.c + SIZE.d },
        { name: 'Archive', objects: 2, bytes: SIZE.a + SIZE.b },
      ].sort((x, y) => y.bytes - x.bytes || y.objects - x.objects || (x.name < y.name ? -1 : 1)),
    );
    const drawn = await run(['list', loc, '--summary'], p.env, { tty: true, columns: 100 });
    assert.match(drawn.stdout, /^TIER\s+OBJECTS\s+SIZE$/m);
    assert.match(drawn.stdout, /^Archive\s+2\s/m);
  });

  describe('pull, cat and query never read an archived blob', () => {
    let proxy: Awaited<ReturnType<typeof startHookProxy>>;
    let loc: string;
    before(async () => {
      await seedFresh(p, 'held');
      await setTier(p, 'held', ['a', 'b'], 'Archive');
      // Records every object GET (the blobs are really archived: a GET would get 409 BlobArchived).
      proxy = await startHookProxy(p.upstream, 2, () => 'forward');
      loc = p.via(proxy.url).loc('held', 'http/');
    });
    after(() => proxy?.close());
    const readArchived = () => [K.a, K.b].filter((k) => proxy.answered.has(k));

    test('pull: the rest is pulled; one summary with count, bytes, tier, oldest and the exact restore command; exit 5', async () => {
      const dest = join(tmp, 'held-pull');
      const r = await run(['pull', loc, dest, '--since', '2h'], p.env);
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(files(dest), ['20260301/20260301T001000Z_20260301T002000Z_c3.log.gz']);
      assert.deepEqual(readArchived(), []);
      assert.match(r.stderr, /^1 downloaded .*, 2 archived \(\d+ B\) not pulled in /m);
      assert.ok(
        r.stderr.includes(`archive: 2 archived objects (${SIZE.a + SIZE.b} B; Archive 2) were not pulled: they must be restored first\n`),
        r.stderr,
      );
      assert.ok(r.stderr.includes(`  oldest: 2026-02-28 23:10:00 ${K.a}\n`), r.stderr);
      assert.match(
        r.stderr,
        /^archive: 2 archived objects were not pulled: restore them, then run this command again \(or add --skip-archived/m,
      );
      // Relative --since becomes the instant it meant, so the command selects the same objects later.
      assert.equal(restoreLine(r.stderr), `archive restore ${loc} --since ${SINCE}`);
    });

    test('pull --skip-archived: the same summary and command, exit 0; --dry-run says the same (and exits as the run would)', async () => {
      const dest = join(tmp, 'held-skip');
      const skip = await run(['pull', loc, dest, '--since', '2h', '--skip-archived'], p.env);
      assert.equal(skip.code, 0, skip.stderr);
      assert.equal(restoreLine(skip.stderr), `archive restore ${loc} --since ${SINCE}`);
      assert.match(skip.stderr, /--skip-archived: the run counts as complete without them/);
      const dry = await run(['pull', loc, join(tmp, 'held-dry'), '--since', '2h', '--dry-run'], p.env);
      assert.equal(dry.code, 5, dry.stderr);
      assert.match(dry.stdout, new RegExp(`^archived    ${K.a.replace(/[.]/g, '\\.')} \\(Archive: not pulled, restore it first\\)$`, 'm'));
      assert.match(dry.stderr, /2 archived objects \(\d+ B; Archive 2\) would not be pulled/);
      const json = await run(['pull', loc, join(tmp, 'held-json'), '--since', '2h', '--json', '--skip-archived'], p.env);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as {
        files: Array<{ key: string; status: string; tier?: string }>;
        summary: { archived: number; archivedBytes: number; restore: { commands: string[]; oldest: { key: string; time: string } } };
      };
      assert.deepEqual(
        report.files.filter((f) => f.status === 'archived').map((f) => [f.key, f.tier]),
        [
          [K.a, 'Archive'],
          [K.b, 'Archive'],
        ],
      );
      assert.equal(report.summary.archived, 2);
      assert.equal(report.summary.archivedBytes, SIZE.a + SIZE.b);
      assert.deepEqual(report.summary.restore.commands, [`archive restore ${loc} --since ${SINCE}`]);
      assert.deepEqual(report.summary.restore.oldest, { key: K.a, time: '2026-02-28T23:10:00.000Z' });
      assert.deepEqual(readArchived(), []);
    });

    test('cat: the readable records, the summary on stderr, the command naming the kinds cat reads; exit 5 (0 with --skip-archived)', async () => {
      const r = await run(['cat', loc, '--since', '2h'], p.env);
      assert.equal(r.code, 5, r.stderr);
      assert.equal(r.stdout, records('c'));
      assert.equal(restoreLine(r.stderr), `archive restore ${loc} --since ${SINCE} --kind logs`);
      assert.match(r.stderr, /^archive: 2 archived objects \(\d+ B; Archive 2\) were not read/m);
      const skip = await run(['cat', loc, '--since', '2h', '--skip-archived'], p.env);
      assert.equal(skip.code, 0, skip.stderr);
      assert.equal(skip.stdout, records('c'));
      assert.deepEqual(readArchived(), []);
    });

    test('query: answers from the readable objects, then exit 5 (0 with --skip-archived); --emit leaves them out too', async () => {
      const r = await run(['query', loc, '--since', '2h', '--csv', 'SELECT count(*) AS n, min(obj) AS o FROM logs'], p.env);
      assert.equal(r.code, 5, r.stderr);
      assert.equal(r.stdout, 'n,o\n3,c\n');
      assert.equal(restoreLine(r.stderr), `archive restore ${loc} --since ${SINCE} --kind logs`);
      const skip = await run(['query', loc, '--since', '2h', '--csv', '--skip-archived', 'SELECT count(*) AS n FROM logs'], p.env);
      assert.equal(skip.code, 0, skip.stderr);
      assert.equal(skip.stdout, 'n\n3\n');
      const emit = await run(['query', loc, '--since', '2h', '--emit', 'duckdb'], p.env);
      assert.equal(emit.code, 5, emit.stderr);
      assert.ok(emit.stdout.includes(K.c) && !emit.stdout.includes(K.a) && !emit.stdout.includes(K.b), emit.stdout);
      assert.deepEqual(readArchived(), []);
    });

    test('the spawned binary: exit 5 and the same lines', async () => {
      const r = await runCli(['pull', loc, join(tmp, 'held-bin'), '--since', '2h'], { env: { ...p.env, ARCHIVE_NOW: NOW.toISOString() } });
      assert.equal(r.code, 5, r.stderr);
      assert.equal(restoreLine(r.stderr), `archive restore ${loc} --since ${SINCE}`);
    });
  });

  test('a blob archived after the listing is refused (409 BlobArchived) and reported as archived, not as a failure', async () => {
    await seedFresh(p, 'late');
    const cc = azureService(p.emu).getContainerClient('late');
    // Before c's GET reaches Azurite, c goes to Archive: the listing said Hot, the service refuses.
    const proxy = await startHookProxy(p.upstream, 2, async (key) => {
      if (key === K.c) await cc.getBlobClient(K.c).setAccessTier('Archive');
      return 'forward' as const;
    });
    try {
      const loc = p.via(proxy.url).loc('late', 'http/');
      const r = await run(['pull', loc, join(tmp, 'late'), '--since', '2h'], p.env);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /^2 downloaded .*, 0 failed, 1 archived \(\d+ B\) not pulled/m);
      assert.ok(r.stderr.includes(`  oldest: 2026-03-01 00:10:00 ${K.c}\n`), r.stderr);
      // Hot again for the listing; the hook archives it again before its GET.
      await cc.getBlobClient(K.c).setAccessTier('Hot');
      const c = await run(['cat', loc, '--since', '2h'], p.env);
      assert.equal(c.code, 5, c.stderr);
      assert.equal(c.stdout, records('a') + records('b'));
      assert.match(c.stderr, /^archive: 1 archived object \(\d+ B; refused as archived 1\) was not read/m);
    } finally {
      await proxy.close();
    }
  });

  test('validate reads an object that is not archived (an archived one says nothing of the credential)', async () => {
    await seedFresh(p, 'probe');
    // a, b and d come first in key order; only c is readable.
    await setTier(p, 'probe', ['a', 'b', 'd'], 'Archive');
    const r = await run(['validate', p.loc('probe', 'http/'), '--no-write', '--json'], p.env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { probes: Array<{ name: string; status: string; key?: string }> };
    const read = doc.probes.find((x) => x.name === 'read');
    assert.deepEqual([read?.status, read?.key], ['ok', K.c]);
  });

  test('restore: Set Blob Tier for real (202), idempotent on a re-run, and then everything pulls', async () => {
    await seedFresh(p, 'rehydrate');
    await setTier(p, 'rehydrate', ['a', 'b', 'd'], 'Archive');
    // listsToComplete 0: Azurite's own instant rehydration shows through at once; the proxy only records.
    const proxy = await startColdProxy(p.upstream, 'azure', { listsToComplete: 0 });
    try {
      const loc = p.via(proxy.url).loc('rehydrate', 'http/');
      const first = await run(['restore', loc, '--since', '2h', '--priority', 'high'], p.env);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'set-tier').map((x) => [x.key, x.tier, x.priority, x.status]),
        [
          [K.a, 'Hot', 'High', 202],
          [K.b, 'Hot', 'High', 202],
        ].sort(),
      );
      assert.match(
        first.stderr,
        new RegExp(`^requested 2 objects \\(${SIZE.a + SIZE.b} B\\) to Hot, high priority, 1 already readable in `, 'm'),
      );
      assert.match(first.stderr, /^ {2}Archive: 2 objects \(\d+ B\): documented retrieval time under 1 hour for blobs under 10 GB/m);
      const again = await run(['restore', loc, '--since', '2h', '--priority', 'high'], p.env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(proxy.requests.filter((x) => x.kind === 'set-tier').length, 2, 'nothing asked twice');
      assert.match(again.stderr, /nothing to restore: every selected object is readable/);
      const pulled = await run(['pull', loc, join(tmp, 'rehydrated'), '--since', '2h'], p.env);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.equal(files(join(tmp, 'rehydrated')).length, 3);
      // d, outside the window, was not touched.
      const d = await run(['list', loc, '--ndjson', '--include', '*d4*'], p.env);
      assert.equal((JSON.parse(d.stdout) as { tier: string }).tier, 'Archive');
    } finally {
      await proxy.close();
    }
  });

  test('restore --copy-to: Copy Blob into the tier, the archived original stays; a re-run reports the copies', async () => {
    await seedFresh(p, 'copyhot');
    await setTier(p, 'copyhot', ['a', 'b'], 'Archive');
    const proxy = await startColdProxy(p.upstream, 'azure', { listsToComplete: 0 });
    try {
      const loc = p.via(proxy.url).loc('copyhot', 'http/');
      const r = await run(['restore', loc, '--since', '2h', '--copy-to', 'restored/', '--tier', 'cool'], p.env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'copy')
          .map((x) => [x.source, x.key, x.tier, x.priority])
          .sort(),
        [
          [K.a, `restored/${K.a}`, 'Cool', 'Standard'],
          [K.b, `restored/${K.b}`, 'Cool', 'Standard'],
        ],
      );
      assert.equal(proxy.requests.filter((x) => x.kind === 'set-tier').length, 0);
      const originals = await run(['list', loc, '--ndjson', '--since', '2h'], p.env);
      assert.deepEqual(
        originals.stdout
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { tier: string }).tier),
        ['Archive', 'Archive', 'Hot'],
      );
      const again = await run(['restore', loc, '--since', '2h', '--copy-to', 'restored/', '--tier', 'cool', '-o', 'json'], p.env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(proxy.requests.filter((x) => x.kind === 'copy').length, 2, 'nothing copied twice');
      const report = JSON.parse(again.stdout) as { objects: Array<{ key: string; action: string; copy?: string }> };
      assert.deepEqual(
        report.objects.map((x) => [x.key, x.action, x.copy]),
        [
          [K.a, 'copied', `restored/${K.a}`],
          [K.b, 'copied', `restored/${K.b}`],
          [K.c, 'readable', undefined],
        ],
      );
      // From the container's root the copies are under the location too: a copy still rehydrating
      // (the proxy shows one; Azurite's copies are done at once) is not itself copied again.
      proxy.state.set(`restored/${K.a}`, { tier: 'Archive', pending: 'rehydrate-pending-to-cool' });
      const root = await run(['restore', p.via(proxy.url).loc('copyhot'), '--copy-to', 'restored/', '--tier', 'cool', '-o', 'json'], p.env);
      assert.equal(root.code, 0, root.stderr);
      assert.equal(proxy.requests.filter((x) => x.kind === 'copy').length, 2);
      assert.deepEqual(
        (JSON.parse(root.stdout) as { objects: Array<{ key: string; action: string }> }).objects.filter((x) =>
          x.key.startsWith('restored/'),
        ),
        [],
      );
      proxy.state.delete(`restored/${K.a}`);
      const copies = await run(['pull', p.via(proxy.url).loc('copyhot', 'restored/'), join(tmp, 'copies')], p.env);
      assert.equal(copies.code, 0, copies.stderr);
      assert.equal(files(join(tmp, 'copies')).length, 2);
    } finally {
      await proxy.close();
    }
  });

  test('restore --dry-run: objects, bytes and the documented retrieval time; nothing is requested', async () => {
    await seedFresh(p, 'dryrun');
    await setTier(p, 'dryrun', ['a', 'b'], 'Archive');
    const proxy = await startColdProxy(p.upstream, 'azure');
    try {
      const loc = p.via(proxy.url).loc('dryrun', 'http/');
      const r = await run(['restore', loc, '--since', '2h', '--dry-run', '--tier', 'cold'], p.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `would restore ${K.a} (Archive, ${SIZE.a} B)\nwould restore ${K.b} (Archive, ${SIZE.b} B)\n`);
      assert.ok(
        r.stderr.startsWith(
          `would restore 2 objects (${SIZE.a + SIZE.b} B) to Cold, standard priority, 1 already readable\n  Archive: 2 objects (${SIZE.a + SIZE.b} B): documented retrieval time up to 15 hours (standard priority)\n`,
        ),
        r.stderr,
      );
      const json = await run(['restore', loc, '--since', '2h', '--dry-run', '-o', 'json'], p.env);
      const doc = JSON.parse(json.stdout) as {
        summary: { 'would-request': number; requestBytes: number; dryRun: boolean; estimates: Array<{ from: string; time: string }> };
      };
      assert.equal(doc.summary['would-request'], 2);
      assert.equal(doc.summary.requestBytes, SIZE.a + SIZE.b);
      assert.equal(doc.summary.dryRun, true);
      assert.deepEqual(
        doc.summary.estimates.map((e) => [e.from, e.time]),
        [['Archive', 'up to 15 hours (standard priority)']],
      );
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind !== 'get'),
        [],
      );
    } finally {
      await proxy.close();
    }
  });

  test('hostile keys and filters (Azurite answers a listing 500 when a name holds ESC or BEL: those are on S3 below): human output escapes them, the restore command is exact when pasted into bash, JSON keeps them as they are', async () => {
    // No backslash: Azure (and Azurite) store it as '/'.
    const evil = `odd/it's "q" back\nnew\u202etxt.log`;
    await p.seed('hostile', [
      { key: evil, body: body('e') },
      { key: 'odd/plain.log', body: body('p') },
    ]);
    await azureService(p.emu).getContainerClient('hostile').getBlobClient(evil).setAccessTier('Archive');
    const loc = p.loc('hostile', 'odd/');
    const filters = ['--include', "*it's*", '--include', '*plain*', '--exclude', '*\n*never*'];
    const r = await run(['pull', loc, join(tmp, 'hostile'), ...filters], p.env);
    assert.equal(r.code, 5, r.stderr);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(r.stderr), JSON.stringify(r.stderr));
    assert.ok(r.stderr.includes(`odd/it's "q" back\\nnew\\u202etxt.log`), r.stderr);
    assert.deepEqual(shellWords(restoreLine(r.stderr)), ['restore', loc, ...filters]);
    const json = await run(['pull', loc, join(tmp, 'hostile-json'), ...filters, '--json', '--skip-archived'], p.env);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { files: Array<{ key: string; status: string }> };
    assert.deepEqual(
      report.files.filter((f) => f.status === 'archived').map((f) => f.key),
      [evil],
    );
    const dry = await run(['-v', 'restore', loc, ...filters, '--dry-run'], p.env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(dry.stdout + dry.stderr), JSON.stringify(dry.stdout));
    assert.match(dry.stdout, /^would restore odd\/it's "q" back\\nnew\\u202etxt\.log \(Archive, \d+ B\)$/m);
    const nd = await run(['restore', loc, ...filters, '-o', 'ndjson'], p.env);
    assert.equal(nd.code, 0, nd.stderr);
    assert.equal((JSON.parse(nd.stdout.split('\n')[0]) as { key: string; action: string }).key, evil);
  });

  test('restore with a SAS that may only read and list: Azurite refuses Set Blob Tier (403), exit 3, the hint names the SAS letter', async () => {
    await seedFresh(p, 'readonly');
    await setTier(p, 'readonly', ['a'], 'Archive');
    const sas = generateBlobSASQueryParameters(
      { containerName: 'readonly', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 6 * 3_600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const sasLoc = `${p.loc('readonly', 'http/')}?${sas}`;
    const r = await run(['restore', sasLoc, '--since', '2h'], {});
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^archive: restore az:\/\/devstoreaccount1\/readonly\/http\/20260228\/.*: permission denied \(AuthorizationPermissionMismatch\)$/m,
    );
    assert.match(r.stderr, /AuthorizationPermissionMismatch/);
    assert.match(r.stderr, /^hint: the SAS lacks permission for restore: create one with the letter w/m);
    // The restore command a pull prints for a SAS location leaves the SAS out and says what a restore needs.
    const pulled = await run(['pull', sasLoc, join(tmp, 'readonly'), '--since', '2h'], {});
    assert.equal(pulled.code, 5, pulled.stderr);
    assert.equal(restoreLine(pulled.stderr), `archive restore ${p.loc('readonly', 'http/')} --since ${SINCE}`);
    assert.match(pulled.stderr, /the SAS is left out of the restore command: a restore needs one that may write \(w\)/);
    const sig = new URLSearchParams(sas).get('sig')!;
    for (const out of [r.stdout, r.stderr, pulled.stdout, pulled.stderr])
      assert.ok(!out.includes(sig) && !out.includes(encodeURIComponent(sig)));
  });
});

describe('Azure: rehydration in progress (Azurite rehydrates at once and never lists ArchiveStatus: the cold proxy shows it)', () => {
  let p: AzureFixture;
  before(async () => {
    p = await startProvider('azure');
  });
  after(() => p?.stop());

  test('list shows the rehydration (target, priority, any new ArchiveStatus value); pull names it as already being restored', async () => {
    await seedFresh(p, 'pending');
    await setTier(p, 'pending', ['a', 'b', 'c'], 'Archive');
    const proxy = await startColdProxy(p.upstream, 'azure');
    try {
      proxy.state.set(K.a, { tier: 'Archive', pending: 'rehydrate-pending-to-hot', priority: 'Standard' });
      // Values Azure may add: a new target tier reads as one, any other shape is shown as given.
      proxy.state.set(K.b, { tier: 'Archive', pending: 'rehydrate-pending-to-frosty' });
      proxy.state.set(K.c, { tier: 'Archive', pending: 'copy-pending\u001b[31m' });
      const loc = p.via(proxy.url).loc('pending', 'http/');
      const tty = await run(['list', loc, '--long', '--since', '2h'], p.env, { tty: true, columns: 220 });
      assert.equal(tty.code, 0, tty.stderr);
      const line = (name: Name) => tty.stdout.split('\n').find((l) => l.includes(K[name].slice(5))) ?? '';
      assert.match(line('a'), /Archive → Hot \(rehydrating, Standard\)/);
      assert.match(line('b'), /Archive → Frosty \(rehydrating\)/);
      // From the service, so escaped on a terminal.
      assert.ok(line('c').includes('Archive (copy-pending\\x1b[31m)'), line('c'));
      assert.ok(!tty.stdout.includes('\u001b'));
      const nd = await run(['list', loc, '--ndjson', '--since', '2h'], p.env);
      const rows = nd.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; cold?: string; restore?: unknown });
      assert.deepEqual(
        rows.map((r) => [r.key, r.cold, r.restore]),
        [
          [K.a, 'restoring', { state: 'pending', status: 'rehydrate-pending-to-hot', priority: 'Standard' }],
          [K.b, 'restoring', { state: 'pending', status: 'rehydrate-pending-to-frosty' }],
          [K.c, 'restoring', { state: 'pending', status: 'copy-pending\u001b[31m' }],
        ],
      );
      const summary = await run(['list', loc, '--summary', '--json', '--since', '2h'], p.env);
      assert.deepEqual(
        (JSON.parse(summary.stdout) as { summary: { tiers: Array<{ name: string; objects: number }> } }).summary.tiers
          .map((t) => [t.name, t.objects])
          .sort(),
        [
          ['Archive (copy-pending\u001b[31m)', 1],
          ['Archive → Frosty (rehydrating)', 1],
          ['Archive → Hot (rehydrating)', 1],
        ].sort(),
      );
      const pulled = await run(['pull', loc, join(tmp, 'pending'), '--since', '2h'], p.env);
      assert.equal(pulled.code, 5, pulled.stderr);
      assert.match(
        pulled.stderr,
        /^ {2}all of them are already being restored: the command below reports them and --wait waits for them$/m,
      );
      assert.match(pulled.stderr, /Archive \(copy-pending\\x1b\[31m\) 1/);
      assert.ok(!pulled.stderr.includes('\u001b'));
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'get'),
        [],
      );
    } finally {
      await proxy.close();
    }
  });

  test('restore never asks again for a rehydrating blob; --priority high raises a standard one to the same tier', async () => {
    await seedFresh(p, 'raise');
    await setTier(p, 'raise', ['a', 'b', 'c'], 'Archive');
    const proxy = await startColdProxy(p.upstream, 'azure');
    try {
      proxy.state.set(K.a, { tier: 'Archive', pending: 'rehydrate-pending-to-hot', priority: 'Standard' });
      proxy.state.set(K.b, { tier: 'Archive', pending: 'rehydrate-pending-to-cool', priority: 'Standard' });
      const loc = p.via(proxy.url).loc('raise', 'http/');
      const std = await run(['restore', loc, '--since', '2h', '-o', 'ndjson'], p.env);
      assert.equal(std.code, 0, std.stderr);
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'set-tier').map((x) => x.key),
        [K.c],
      );
      const lines = std.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key?: string; action?: string; summary?: Record<string, number> });
      assert.deepEqual(
        lines.slice(0, 3).map((x) => [x.key, x.action]),
        [
          [K.a, 'restoring'],
          [K.b, 'restoring'],
          [K.c, 'requested'],
        ],
      );
      assert.equal(lines[3].summary?.restoring, 2);
      proxy.requests.length = 0;
      // Azure keeps c archived while it rehydrates (Azurite already made it Hot): back to Archive, shown pending.
      await setTier(p, 'raise', ['c'], 'Archive');
      proxy.state.set(K.c, { tier: 'Archive', pending: 'rehydrate-pending-to-hot', priority: 'Standard' });
      const high = await run(['restore', loc, '--since', '2h', '--priority', 'high'], p.env);
      assert.equal(high.code, 0, high.stderr);
      // a and c rehydrate to Hot at Standard: raised; b goes to Cool, which --tier hot does not touch.
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'set-tier')
          .map((x) => [x.key, x.tier, x.priority])
          .sort(),
        [
          [K.a, 'Hot', 'High'],
          [K.c, 'Hot', 'High'],
        ],
      );
      assert.match(
        high.stderr,
        /^requested 2 objects \(\d+ B\) to Hot, high priority, 2 of them already rehydrating, priority raised, 1 already being restored in /m,
      );
    } finally {
      await proxy.close();
    }
  });

  test('restore --wait checks until every blob is readable, with one progress line per check (--progress plain)', async () => {
    await seedFresh(p, 'waiting');
    await setTier(p, 'waiting', ['a', 'b'], 'Archive');
    // Each 202 is shown pending in the next listing, then Azurite's Hot shows through.
    const proxy = await startColdProxy(p.upstream, 'azure', { listsToComplete: 1 });
    try {
      const loc = p.via(proxy.url).loc('waiting', 'http/');
      const r = await run(['restore', loc, '--since', '2h', '--wait', '--interval', '0.1s', '--progress', 'plain'], p.env);
      assert.equal(r.code, 0, r.stderr);
      const progress = r.stderr.split('\n').filter((l) => l.startsWith('restore '));
      const both = SIZE.a + SIZE.b;
      assert.deepEqual(
        progress.map((l) => l.replace(/ · waited .*$/, '')),
        [
          `restore   0% 0/2 objects readable · 0 B/${both} B`,
          `restore   0% 0/2 objects readable · 0 B/${both} B`,
          `restore 100% 2/2 objects readable · ${both} B/${both} B`,
        ],
      );
      assert.match(progress[0], /· next check in 0s$/);
      assert.match(r.stderr, /^all 2 objects waited for are readable \(2 checks\)$/m);
    } finally {
      await proxy.close();
    }
  });

  test('pull --wait-restore: restore, wait and pull in one command; nothing is read before it is readable', async () => {
    await seedFresh(p, 'oneshot');
    await setTier(p, 'oneshot', ['a', 'b'], 'Archive');
    const proxy = await startColdProxy(p.upstream, 'azure', { listsToComplete: 1 });
    try {
      const loc = p.via(proxy.url).loc('oneshot', 'http/');
      const dest = join(tmp, 'oneshot');
      const r = await run(
        ['pull', loc, dest, '--since', '2h', '--wait-restore', '--interval', '0.1s', '--restore-priority', 'high'],
        p.env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(files(dest), [
        '20260228/20260228T231000Z_20260228T232000Z_a1.log.gz',
        '20260228/20260228T234000Z_20260228T235000Z_b2.log.gz',
        '20260301/20260301T001000Z_20260301T002000Z_c3.log.gz',
      ]);
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'set-tier')
          .map((x) => [x.key, x.priority])
          .sort(),
        [
          [K.a, 'High'],
          [K.b, 'High'],
        ],
      );
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'get' && x.status !== 200),
        [],
      );
      assert.match(r.stderr, /^restored 2 archived objects; pulling$/m);
    } finally {
      await proxy.close();
    }
  });
});

describe('S3 Glacier (s3rver lists every object as STANDARD and has no RestoreObject: the cold proxy plays Glacier)', () => {
  let p: ProviderFixture;
  before(async () => {
    p = await startProvider('s3');
  });
  after(() => p?.stop());

  /** A fresh bucket behind a fresh proxy: a in GLACIER, b in DEEP_ARCHIVE, c restored from GLACIER until 2026-03-02, d STANDARD. */
  async function glacier(
    bucket: string,
    o: Parameters<typeof startColdProxy>[2] = {},
  ): Promise<{ proxy: ColdProxy; loc: string; env: Record<string, string> }> {
    await seedFresh(p, bucket);
    const proxy = await startColdProxy(p.upstream, 's3', o);
    proxy.state.set(K.a, { tier: 'GLACIER' });
    proxy.state.set(K.b, { tier: 'DEEP_ARCHIVE' });
    proxy.state.set(K.c, { tier: 'GLACIER', restoredUntil: new Date('2026-03-02T00:00:00Z') });
    const via = p.via(proxy.url);
    return { proxy, loc: via.loc(bucket, 'http/'), env: via.env };
  }

  test('list: storage class and restore state (--long, ndjson, --summary); every listing asks for RestoreStatus', async () => {
    const { proxy, loc, env } = await glacier('s3list');
    try {
      const long = await run(['list', loc, '--long'], env);
      assert.equal(long.code, 0, long.stderr);
      const tierOf = (key: string) =>
        long.stdout
          .split('\n')
          .find((l) => l.endsWith(key))
          ?.split(/\s+/)
          .at(-2);
      assert.deepEqual(
        [tierOf(K.a), tierOf(K.b), tierOf(K.c), tierOf(K.d)],
        ['GLACIER', 'DEEP_ARCHIVE', 'GLACIER(restoreduntil2026-03-0200:00)', 'STANDARD'],
      );
      const tty = await run(['list', loc, '--long'], env, { tty: true, columns: 220 });
      assert.match(tty.stdout, /GLACIER \(restored until 2026-03-02 00:00\)/);
      const nd = await run(['list', loc, '--ndjson'], env);
      const rows = Object.fromEntries(
        nd.stdout
          .trim()
          .split('\n')
          .map((l) => {
            const r = JSON.parse(l) as { key: string; tier: string; cold?: string; restore?: unknown };
            return [r.key, [r.tier, r.cold, r.restore]];
          }),
      );
      assert.deepEqual(rows, {
        [K.a]: ['GLACIER', 'archived', undefined],
        [K.b]: ['DEEP_ARCHIVE', 'archived', undefined],
        [K.c]: ['GLACIER', 'restored', { state: 'restored', expiry: '2026-03-02T00:00:00.000Z' }],
        [K.d]: ['STANDARD', undefined, undefined],
      });
      const summary = await run(['list', loc, '--summary', '--json'], env);
      assert.deepEqual(
        (JSON.parse(summary.stdout) as { summary: { tiers: Array<{ name: string; objects: number }> } }).summary.tiers
          .map((t) => [t.name, t.objects])
          .sort(),
        [
          ['DEEP_ARCHIVE', 1],
          ['GLACIER (restored)', 1],
          ['GLACIER', 1],
          ['STANDARD', 1],
        ],
      );
      assert.ok(proxy.listings.length >= 4);
      assert.ok(
        proxy.listings.every((l) => l.restoreStatusAsked),
        'signed locally (static keys): the header is sent',
      );
    } finally {
      await proxy.close();
    }
  });

  test('the SDK-presigned listing (an AWS profile) asks for RestoreStatus too, as a signed header', async () => {
    const { proxy, loc, env } = await glacier('s3presign');
    // A file of its own: the SDK caches the shared files it has read by path.
    const credentials = join(hermetic.root, 'aws-credentials-coldtier');
    writeFileSync(credentials, '[coldtier]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
    try {
      const profileEnv = {
        ...env,
        AWS_PROFILE: 'coldtier',
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
      } as unknown as Record<string, string>;
      const nd = await run(['list', loc, '--ndjson'], profileEnv);
      assert.equal(nd.code, 0, nd.stderr);
      const c = nd.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; cold?: string })
        .find((r) => r.key === K.c);
      assert.equal(c?.cold, 'restored');
      assert.ok(proxy.listings.length > 0 && proxy.listings.every((l) => l.restoreStatusAsked));
    } finally {
      await proxy.close();
    }
  });

  test('pull, cat and query read the restored copy and STANDARD, never GLACIER/DEEP_ARCHIVE; exit 5 with the command', async () => {
    const { proxy, loc, env } = await glacier('s3held');
    try {
      const dest = join(tmp, 's3held');
      const r = await run(['pull', loc, dest, '--since', '2h'], env);
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(files(dest), ['20260301/20260301T001000Z_20260301T002000Z_c3.log.gz']);
      assert.ok(
        r.stderr.includes(`archive: 2 archived objects (${SIZE.a + SIZE.b} B; DEEP_ARCHIVE 1, GLACIER 1) were not pulled`),
        r.stderr,
      );
      assert.equal(restoreLine(r.stderr), `archive restore ${loc} --since ${SINCE}`);
      const c = await run(['cat', loc, '--since', '2h', '--skip-archived'], env);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, records('c'));
      const q = await run(['query', loc, '--csv', 'SELECT obj, count(*) AS n FROM logs GROUP BY obj ORDER BY obj'], env);
      assert.equal(q.code, 5, q.stderr);
      assert.equal(q.stdout, 'obj,n\nc,3\nd,3\n');
      assert.equal(restoreLine(q.stderr), `archive restore ${loc} --kind logs`);
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'get' && (x.key === K.a || x.key === K.b)),
        [],
      );
    } finally {
      await proxy.close();
    }
  });

  test('restore: RestoreObject with --days and --tier; restored and restoring objects are not asked again; the documented times', async () => {
    const { proxy, loc, env } = await glacier('s3restore');
    try {
      const dry = await run(['restore', loc, '--since', '2h', '--dry-run', '--tier', 'bulk', '--days', '3'], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(
        dry.stderr,
        `would restore 2 objects (${SIZE.a + SIZE.b} B) for 3 days, Bulk retrieval, 1 already readable\n` +
          `  DEEP_ARCHIVE: 1 object (${SIZE.b} B): documented retrieval time within 48 hours (Bulk)\n` +
          `  GLACIER: 1 object (${SIZE.a} B): documented retrieval time 5–12 hours (Bulk)\n`,
      );
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'restore'),
        [],
      );
      const r = await run(['restore', loc, '--since', '2h', '--tier', 'bulk', '--days', '3'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'restore')
          .map((x) => [x.key, x.days, x.tier, x.status])
          .sort(),
        [
          [K.a, 3, 'Bulk', 202],
          [K.b, 3, 'Bulk', 202],
        ],
      );
      // The next listing shows them restoring (RestoreStatus): nothing is asked twice.
      const again = await run(['restore', loc, '--since', '2h', '--tier', 'bulk', '--days', '3', '--json'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(proxy.requests.filter((x) => x.kind === 'restore').length, 2);
      const doc = JSON.parse(again.stdout) as { objects: Array<{ key: string; action: string; state: string; expiry?: string }> };
      assert.deepEqual(
        doc.objects.map((x) => [x.key, x.state, x.action, x.expiry]),
        [
          [K.a, 'restoring', 'restoring', undefined],
          [K.b, 'restoring', 'restoring', undefined],
          [K.c, 'restored', 'readable', '2026-03-02T00:00:00.000Z'],
        ],
      );
    } finally {
      await proxy.close();
    }
  });

  test('a store whose listing has no RestoreStatus: the service answers 409 RestoreAlreadyInProgress (reported), and --wait asks HEAD', async () => {
    const { proxy, loc, env } = await glacier('s3nostatus', { noRestoreStatus: true, listsToComplete: 1 });
    try {
      proxy.state.set(K.a, { tier: 'GLACIER', pending: true, listsLeft: 1 });
      const r = await run(
        ['restore', loc, '--since', '2h', '--wait', '--interval', '0.1s', '--progress', 'plain', '--tier', 'expedited'],
        env,
      );
      // The listing shows all three as plain GLACIER/DEEP_ARCHIVE. b is DEEP_ARCHIVE: Expedited is not offered there, so
      // it is not asked; a is already under way (409) and c restored already (200): both reported from the answer.
      assert.equal(r.code, 5, r.stderr);
      assert.match(
        r.stderr,
        /^failed +http\/20260228\/20260228T234000Z_20260228T235000Z_b2\.log\.gz: restore .*Expedited retrieval is not offered for Deep Archive/m,
      );
      assert.match(r.stderr, /^hint: restore Deep Archive objects with --tier Standard or Bulk/m);
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'restore')
          .map((x) => [x.key, x.status])
          .sort(),
        [
          [K.a, 409],
          [K.c, 200],
        ],
      );
      assert.match(
        r.stderr,
        /^requested 0 objects \(0 B\) for 1 day, Expedited retrieval, 1 already being restored, 1 already readable, 1 failed in /m,
      );
      proxy.state.set(K.b, { tier: 'GLACIER' });
      const w = await run(
        ['restore', loc, '--since', '2h', '--wait', '--interval', '0.1s', '--progress', 'plain', '--tier', 'expedited', '--days', '2'],
        env,
      );
      assert.equal(w.code, 0, w.stderr);
      assert.ok(
        proxy.requests.some((x) => x.kind === 'head' && x.key === K.b),
        'readiness from HEAD (x-amz-restore)',
      );
      // a was restored meanwhile and c has its copy: only b is waited for, through HEAD.
      assert.match(w.stderr, /^requested 1 object \(\d+ B\) for 2 days, Expedited retrieval, 2 already readable in /m);
      assert.match(w.stderr, /^the object waited for is readable \(2 checks\)$/m);
    } finally {
      await proxy.close();
    }
  });

  test('pull --wait-restore on S3: RestoreObject, wait for the listing to show the restored copies, pull everything', async () => {
    const { proxy, loc, env } = await glacier('s3oneshot', { listsToComplete: 1 });
    try {
      const dest = join(tmp, 's3oneshot');
      const r = await run(
        [
          'pull',
          loc,
          dest,
          '--since',
          '2h',
          '--wait-restore',
          '--interval',
          '0.1s',
          '--restore-tier',
          'Standard',
          '--restore-days',
          '2',
          '--json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(files(dest).length, 3);
      assert.deepEqual(
        proxy.requests
          .filter((x) => x.kind === 'restore')
          .map((x) => [x.key, x.days, x.tier])
          .sort(),
        [
          [K.a, 2, 'Standard'],
          [K.b, 2, 'Standard'],
        ],
      );
      const report = JSON.parse(r.stdout) as { summary: { downloaded: number; archived: number } };
      assert.deepEqual([report.summary.downloaded, report.summary.archived], [3, 0]);
    } finally {
      await proxy.close();
    }
  });

  test('Intelligent-Tiering archive tiers show only in HEAD: pull reports the refused read as archived; restore asks HEAD, then RestoreObject without Days', async () => {
    const { proxy, loc, env } = await glacier('s3tiering', { listsToComplete: 1 });
    try {
      proxy.state.clear();
      proxy.state.set(K.d, { tier: 'INTELLIGENT_TIERING', archiveAccess: 'DEEP_ARCHIVE_ACCESS' });
      proxy.state.set(K.c, { tier: 'INTELLIGENT_TIERING' });
      const dest = join(tmp, 's3tiering');
      const r = await run(['pull', loc, dest], env);
      assert.equal(r.code, 5, r.stderr);
      assert.equal(files(dest).length, 3);
      assert.match(r.stderr, /^3 downloaded .*, 0 failed, 1 archived \(\d+ B\) not pulled/m);
      assert.ok(r.stderr.includes(`archive: 1 archived object (${SIZE.d} B; refused as archived 1) was not pulled`), r.stderr);
      const w = await run(['restore', loc, '--wait', '--interval', '0.1s', '--tier', 'bulk', '--days', '5'], env);
      assert.equal(w.code, 0, w.stderr);
      assert.deepEqual(
        proxy.requests.filter((x) => x.kind === 'restore').map((x) => [x.key, x.days, x.tier, x.status]),
        [[K.d, undefined, 'Bulk', 202]],
      );
      assert.deepEqual([...new Set(proxy.requests.filter((x) => x.kind === 'head').map((x) => x.key))].sort(), [K.c, K.d].sort());
      assert.match(
        w.stderr,
        /^ {2}INTELLIGENT_TIERING\/DEEP_ARCHIVE_ACCESS: 1 object \(\d+ B\): documented retrieval time within 48 hours \(Bulk\)$/m,
      );
      assert.match(w.stderr, /^the object waited for is readable \(\d+ checks?\)$/m);
      const again = await run(['pull', loc, dest], env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(files(dest).length, 4);
    } finally {
      await proxy.close();
    }
  });

  test('hostile keys (ESC, BEL, bidi, newline, quotes, backslash) and filters: human output escapes them, the restore command is exact when pasted into bash, JSON keeps them as they are', async () => {
    const evil = `odd/it's "q" \\ back\nnew\u001b[31mred\u202etxt\u0007.log`;
    await p.seed('hostile', [
      { key: evil, body: body('e') },
      { key: 'odd/plain.log', body: body('p') },
    ]);
    const proxy = await startColdProxy(p.upstream, 's3');
    proxy.state.set(evil, { tier: 'GLACIER' });
    const loc = p.via(proxy.url).loc('hostile', 'odd/');
    const env = p.via(proxy.url).env;
    try {
      const filters = ['--include', "*it's*", '--include', '*plain*', '--exclude', '*\n*never*'];
      const r = await run(['pull', loc, join(tmp, 'hostile'), ...filters], env);
      assert.equal(r.code, 5, r.stderr);
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(r.stderr), JSON.stringify(r.stderr));
      assert.ok(r.stderr.includes(`odd/it's "q" \\\\ back\\nnew\\x1b[31mred\\u202etxt\\x07.log`), r.stderr);
      assert.deepEqual(shellWords(restoreLine(r.stderr)), ['restore', loc, ...filters]);
      const json = await run(['pull', loc, join(tmp, 'hostile-json'), ...filters, '--json', '--skip-archived'], env);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { files: Array<{ key: string; status: string }> };
      assert.deepEqual(
        report.files.filter((f) => f.status === 'archived').map((f) => f.key),
        [evil],
      );
      const dry = await run(['-v', 'restore', loc, ...filters, '--dry-run'], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(dry.stdout + dry.stderr), JSON.stringify(dry.stdout));
      assert.match(dry.stdout, /^would restore odd\/it's "q" \\\\ back\\nnew\\x1b\[31mred\\u202etxt\\x07\.log \(GLACIER, \d+ B\)$/m);
      const nd = await run(['restore', loc, ...filters, '-o', 'ndjson'], env);
      assert.equal(nd.code, 0, nd.stderr);
      assert.equal((JSON.parse(nd.stdout.split('\n')[0]) as { key: string; action: string }).key, evil);
    } finally {
      await proxy.close();
    }
  });

  test('permission denied on RestoreObject: exit 3, the hint names s3:RestoreObject', async () => {
    const { proxy, loc, env } = await glacier('s3denied', {
      refuseRestore: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
    });
    try {
      const r = await run(['restore', loc, '--since', '2h'], env);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        /^archive: all 2 restore requests failed; first: restore s3:\/\/s3denied\/http\/.*: permission denied \(AccessDenied\)$/m,
      );
      assert.match(r.stderr, /^hint: the IAM policy must allow s3:RestoreObject on this bucket\/\*/m);
    } finally {
      await proxy.close();
    }
  });

  test('usage errors come before any request: flags of the other provider, days, intervals, restore flags without --wait-restore', async () => {
    const { proxy, loc, env } = await glacier('s3usage');
    try {
      const cases: Array<[string[], RegExp]> = [
        [
          ['restore', loc, '--priority', 'high'],
          /^archive: --priority is for Azure rehydration\nhint: on S3 the speed is the retrieval tier: --tier Expedited\|Standard\|Bulk$/m,
        ],
        [
          ['restore', loc, '--tier', 'hot'],
          /^archive: --tier "hot": S3 retrieval tiers are Standard, Bulk and Expedited\nhint: hot is an Azure tier/m,
        ],
        [['restore', loc, '--days', '0'], /^archive: --days "0": expected a whole number of days, 1 or more/m],
        [['restore', loc, '--copy-to', 'x/'], /^archive: --copy-to is for Azure/m],
        [['restore', loc, '--wait', '--interval', '0'], /^archive: --interval "0": expected a duration/m],
        [['restore', loc, '--wait', '--dry-run'], /^archive: --dry-run requests nothing/m],
        [['pull', loc, join(tmp, 'u'), '--restore-tier', 'Bulk'], /^archive: --restore-tier only applies with --wait-restore/m],
        [
          ['pull', loc, join(tmp, 'u'), '--wait-restore', '--skip-archived'],
          /^archive: --wait-restore and --skip-archived contradict each other/m,
        ],
        [
          ['pull', loc, join(tmp, 'u'), '--wait-restore', '--restore-priority', 'high'],
          /^archive: --restore-priority is for Azure rehydration/m,
        ],
      ];
      for (const [argv, re] of cases) {
        const r = await run(argv, env);
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re);
      }
      const az = await run(['restore', 'az://acct/container/logs/', '--days', '3'], {});
      assert.equal(az.code, 2, az.stderr);
      assert.match(az.stderr, /^archive: --days is for S3 restores\nhint: Azure rehydration is not temporary/m);
      assert.deepEqual(proxy.listings, [], 'no request was made');
      assert.deepEqual(proxy.requests, []);
    } finally {
      await proxy.close();
    }
  });
});
