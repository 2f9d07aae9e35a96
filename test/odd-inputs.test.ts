/**
 * Odd inputs answered right (issue #22 items 5, 6, 7, 9, 10), on both emulators:
 *   5  --include/--exclude/--host take a glob as one value (its commas belong to it: `{a,b}/*`),
 *      repetition gives several, and `**`, `*` and `?` cross a newline inside a key;
 *   6  `list --histogram LOCATION` and `pull --progress LOCATION DEST` keep their location;
 *   7  the histogram counts log objects (a heap dump or an ownership challenge fills no export
 *      gap) unless --kind says what to count;
 *   9  decoding is decided by the bytes, the same in cat, pull -d and query: zstd named .gz, gzip
 *      named .zst, plain text named .gz, a 0-byte .zst, zstd without a suffix (small and past the
 *      multipart threshold); damaged bytes are named the same way everywhere;
 *   10 exit codes: a pull where every object failed is 5 (not 1); a location naming no container
 *      is a usage error (2) everywhere; nothing under the location is 4 for list, cat, pull and query.
 * The clock is fixed (ARCHIVE_NOW, 2026-12-01T01:00Z): relative windows cross midnight and the end
 * of November.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './support/io.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { ZstdFixtures, zstdProgram } from './support/zstd-fixtures.js';
import { walk } from './support/files.js';

const NOW = '2026-12-01T01:00:00Z';
const at = (iso: string) => Date.parse(iso);

const GLOB_KEYS = ['g/enc/1.log', 'g/tab/2.log', 'g/other/3.log', 'g/a,b/4.log', 'g/line\nbreak/deep/5.log'];
const V = 'v/acme/shop/default';
const VESPA_KEYS = [
  `${V}/h1.example/logs/access/JsonAccessLog.default.20261130220001.zst`,
  `${V}/h2.example/logs/access/JsonAccessLog.default.20261201000001.zst`,
  // A heap dump written in the hour with no access log: no export, so no bar.
  `${V}/h1.example/service-dump/default-container.0-${at('2026-11-30T23:10:00Z')}/jvm-heap-dump.bin.zst`,
];
const CF = ['c/http_requests/20261130/20261130T230000Z_20261130T230500Z_aa.log.gz', 'c/http_requests/ownership-challenge-x.txt'];

const records = (tag: string, n = 3) => Array.from({ length: n }, (_, i) => `${JSON.stringify({ tag, i })}\n`).join('');

/** zstd bytes by Node's zlib where it has zstd, else the zstd program; undefined when neither exists. */
function zstdOf(data: string | Buffer): Buffer | undefined {
  const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
  if (z.zstdCompressSync) return z.zstdCompressSync(Buffer.from(data));
  const bin = zstdProgram();
  if (!bin) return undefined;
  const fx = new ZstdFixtures(bin);
  try {
    return fx.compress(Buffer.from(data));
  } finally {
    fx.cleanup();
  }
}

const lines = (s: string) => s.trimEnd().split('\n');
const keysOf = (ndjson: string) =>
  ndjson
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).key as string)
    .sort();

for (const name of PROVIDERS) {
  describe(`odd inputs answered right (${name})`, () => {
    let p: ProviderFixture;
    let tmp: string;
    const big = records('big', 4000); // ~70 KiB: past --multipart-threshold 16K below
    const bodies: Record<string, Buffer> = {};
    let zstdOk = false;
    before(async () => {
      p = await startProvider(name);
      tmp = mkdtempSync(join(tmpdir(), 'archive-odd-'));
      const zBig = zstdOf(big);
      const z = zstdOf(records('zstd-named-gz'));
      const zNoExt = zstdOf(records('zstd-no-suffix'));
      zstdOk = !!(z && zBig && zNoExt);
      const decode: Record<string, Buffer> = {
        'z/a-gzip-named.zst': gzipSync(records('gzip-named-zst')),
        'z/b-plain-named.gz': Buffer.from(records('plain-named-gz')),
        'z/c-empty.zst': Buffer.alloc(0),
        ...(zstdOk ? { 'z/d-zstd-named.gz': z!, 'z/e-zstd-no-suffix': zNoExt!, 'z/f-big-zstd-no-suffix': zBig! } : {}),
      };
      Object.assign(bodies, decode);
      await p.seed('odd', [
        ...GLOB_KEYS.map((key) => ({ key, body: `${key}\n` })),
        ...VESPA_KEYS.map((key) => ({ key, body: 'x' })),
        ...CF.map((key) => ({ key, body: 'tok\n' })),
        ...Object.entries(decode).map(([key, body]) => ({ key, body })),
        // Bytes that say gzip and are not: damaged, and named as such everywhere.
        { key: 'bad/x.log', body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('no gzip after all\n')]) },
      ]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });
    // A private TMPDIR: a query's temp dir, and the dead ones it reclaims, are this file's only.
    const env = () => ({ ...p.env, ARCHIVE_NOW: NOW, TMPDIR: tmp });
    /** In process the clock is the fake Io's (ARCHIVE_NOW is what a spawned run reads). */
    const CLOCK = () => ({ env: env(), now: new Date(NOW) });
    const list = async (args: string[]) => {
      const r = await runInProcess(['list', p.loc('odd', 'g/'), '-o', 'ndjson', ...args], CLOCK());
      assert.equal(r.code, 0, r.stderr);
      return keysOf(r.stdout);
    };

    test('item 5: a glob is one value, commas and all; repetition gives several; wildcards cross a newline', async () => {
      assert.deepEqual(await list(['--include', '{enc,tab}/*']), ['g/enc/1.log', 'g/tab/2.log']);
      assert.deepEqual(await list(['--exclude', '{enc,tab}/*']), ['g/a,b/4.log', 'g/line\nbreak/deep/5.log', 'g/other/3.log']);
      // A comma in a key is matched by a comma in the glob, not split off.
      assert.deepEqual(await list(['--include', 'a,b/*']), ['g/a,b/4.log']);
      assert.deepEqual(await list(['--include', 'enc/*', '--include', 'other/*']), ['g/enc/1.log', 'g/other/3.log']);
      assert.deepEqual(await list(['--exclude', 'enc/*', '--exclude', 'tab/*', '--exclude', 'a,b/*']), [
        'g/line\nbreak/deep/5.log',
        'g/other/3.log',
      ]);
      // `**` spans the newline inside the folder name; so do `*` and `?` (never a '/').
      assert.deepEqual(await list(['--include', '**/deep/5.log']), ['g/line\nbreak/deep/5.log']);
      assert.deepEqual(await list(['--include', 'line*break/**']), ['g/line\nbreak/deep/5.log']);
      assert.deepEqual(await list(['--include', 'line?break/deep/*']), ['g/line\nbreak/deep/5.log']);
      assert.deepEqual(await list(['--exclude', '**/5.log', '--exclude', '{enc,tab,other}/**']), ['g/a,b/4.log']);
      // --host: one glob with its braces.
      const hosts = await runInProcess(['list', p.loc('odd', 'v/'), '-o', 'ndjson', '--host', '{h1,h2}.example', '--kind', 'access'], {
        ...CLOCK(),
      });
      assert.equal(hosts.code, 0, hosts.stderr);
      assert.deepEqual(keysOf(hosts.stdout), VESPA_KEYS.slice(0, 2));
    });

    test('item 6: list --histogram LOCATION keeps its location; pull --progress LOCATION DEST too', async () => {
      const after = await runInProcess(['list', p.loc('odd', 'v/'), '--histogram', '--since', '3h', '--json'], CLOCK());
      const before = await runInProcess(['list', '--histogram', p.loc('odd', 'v/'), '--since', '3h', '--json'], CLOCK());
      assert.equal(before.code, 0, before.stderr);
      assert.equal(before.stdout, after.stdout);
      assert.equal(JSON.parse(before.stdout).histogram.bucket, 'hour');
      const asked = await runInProcess(['list', '--histogram', 'day', p.loc('odd', 'v/'), '--since', '3h', '--json'], CLOCK());
      assert.equal(JSON.parse(asked.stdout).histogram.bucket, 'day');
      // A word that is no bucket and has no place to go is still refused.
      const bad = await runInProcess(['list', p.loc('odd', 'v/'), '--histogram', 'week'], CLOCK());
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^archive: --histogram "week": expected hour or day$/m);

      for (const [i, argv] of [
        ['pull', '--progress', p.loc('odd', 'g/enc/'), join(tmp, `prog-${name}-0`)],
        ['pull', p.loc('odd', 'g/enc/'), '--progress', join(tmp, `prog-${name}-1`)],
      ].entries()) {
        const r = await runInProcess(argv, CLOCK());
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(walk(join(tmp, `prog-${name}-${i}`)), ['1.log'], argv.join(' '));
        assert.match(r.stderr, /^1 downloaded /m);
      }
    });

    test('item 7: the histogram counts log objects; a heap dump or a challenge fills no gap; --kind counts them', async () => {
      // --since 3h from 01:00: 22:00 and 00:00 have an access log, 23:00 only a heap dump.
      const r = await runInProcess(['list', p.loc('odd', 'v/'), '--histogram', '--since', '3h', '--json'], CLOCK());
      assert.equal(r.code, 0, r.stderr);
      const h = JSON.parse(r.stdout).histogram;
      assert.deepEqual(
        h.buckets.map((b: { start: string; objects: number }) => [b.start, b.objects]),
        [
          ['2026-11-30T22:00:00.000Z', 1],
          ['2026-11-30T23:00:00.000Z', 0],
          ['2026-12-01T00:00:00.000Z', 1],
        ],
      );
      assert.deepEqual(h.empty, ['2026-11-30T23:00:00.000Z']);
      assert.deepEqual(h.leftOut, { heapdump: 1 });
      const tty = await runInProcess(['list', p.loc('odd', 'v/'), '--histogram', '--since', '3h'], {
        env: { ...env(), ARCHIVE_FORCE_TTY: '1', COLUMNS: '80' },
        now: new Date(NOW),
      });
      assert.deepEqual(lines(tty.stdout).slice(-3), [
        '3 hours from 2026-11-30 22:00 to 2026-12-01 01:00 UTC: 1 of 3 hours empty',
        'counts log objects: left out 1 other (heapdump 1); --kind counts them',
        '3 objects, 3 B',
      ]);
      assert.match(lines(tty.stdout)[2], /^2026-11-30 23:00 {8}0 +- {2}· empty$/);
      const all = await runInProcess(['list', p.loc('odd', 'v/'), '--histogram', '--since', '3h', '--json', '--kind', 'access,heapdump'], {
        ...CLOCK(),
      });
      const counted = JSON.parse(all.stdout).histogram;
      assert.deepEqual(
        counted.buckets.map((b: { objects: number }) => b.objects),
        [1, 1, 1],
      );
      assert.equal(counted.leftOut, undefined);

      // No window: the chart spans the log objects only; the challenge (last-modified: the
      // seeding moment, whenever that is) neither stretches it nor counts.
      const cf = await runInProcess(['list', p.loc('odd', 'c/'), '--histogram', '--json'], CLOCK());
      const ch = JSON.parse(cf.stdout).histogram;
      assert.deepEqual(
        [ch.from, ch.to, ch.buckets.length, ch.leftOut],
        ['2026-11-30T23:00:00.000Z', '2026-12-01T00:00:00.000Z', 1, { challenge: 1 }],
      );
    });

    test('item 9: cat, pull -d and query decode by the bytes, whatever the name says', async (t) => {
      if (!zstdOk) t.diagnostic('no zstd encoder here (Node < 22.15 and no zstd program): the zstd cases are left out');
      const keys = Object.keys(bodies).sort();
      const decoded: Record<string, string> = {
        'z/a-gzip-named.zst': records('gzip-named-zst'),
        'z/b-plain-named.gz': records('plain-named-gz'),
        'z/c-empty.zst': '',
        'z/d-zstd-named.gz': records('zstd-named-gz'),
        'z/e-zstd-no-suffix': records('zstd-no-suffix'),
        'z/f-big-zstd-no-suffix': big,
      };
      const cat = await runInProcess(['cat', p.loc('odd', 'z/'), '--order', 'key'], CLOCK());
      assert.equal(cat.code, 0, cat.stderr);
      assert.equal(cat.stderr, '');
      assert.equal(cat.stdout, keys.map((k) => decoded[k]).join(''));

      const dest = join(tmp, `dec-${name}`);
      // A threshold below the big object's size: its raw copy is fetched in parts, then decoded from disk.
      const pull = await runInProcess(['pull', p.loc('odd', 'z/'), dest, '-d', '--multipart-threshold', '16K', '--chunk-size', '16K'], {
        ...CLOCK(),
      });
      assert.equal(pull.code, 0, pull.stderr);
      const local = (k: string) => k.slice(2).replace(/\.(zst|gz)$/, '');
      assert.deepEqual(walk(dest), keys.map(local).sort());
      for (const k of keys) assert.equal(readFileSync(join(dest, local(k)), 'utf8'), decoded[k], k);
      // Without -d the stored bytes are kept, under the stored names.
      const raw = join(tmp, `raw-${name}`);
      assert.equal((await runInProcess(['pull', p.loc('odd', 'z/'), raw], CLOCK())).code, 0);
      for (const k of keys) assert.ok(readFileSync(join(raw, k.slice(2))).equals(bodies[k]!), k);

      const q = await runInProcess(['query', p.loc('odd', 'z/'), '--csv', 'SELECT _key, count(*) AS n FROM logs GROUP BY ALL ORDER BY 1'], {
        ...CLOCK(),
      });
      assert.equal(q.code, 0, q.stderr);
      const expected = keys.filter((k) => decoded[k] !== '').map((k) => `${k},${lines(decoded[k]!).length}`);
      assert.deepEqual(lines(q.stdout), ['_key,n', ...expected]);
    });

    test('item 9: bytes that say gzip and are damaged fail the same way in cat, pull -d and query', async () => {
      const cat = await runInProcess(['cat', p.loc('odd', 'bad/')], CLOCK());
      assert.equal(cat.code, 5, cat.stderr);
      assert.match(cat.stderr, /^archive: bad\/x\.log: corrupt gzip data: /m);
      const pull = await runInProcess(['pull', p.loc('odd', 'bad/'), join(tmp, `bad-${name}`), '-d'], CLOCK());
      assert.equal(pull.code, 5, pull.stderr);
      assert.match(pull.stderr, /^failed {6}bad\/x\.log: corrupt gzip data: /m);
      const q = await runInProcess(['query', p.loc('odd', 'bad/'), 'SELECT count(*) FROM logs'], CLOCK());
      assert.equal(q.code, 5, q.stderr);
      assert.match(q.stderr, /^archive: corrupt object bad\/x\.log: corrupt gzip data: /m);
    });

    test('item 10: nothing under the location is 4 for list, cat, pull and query alike', async () => {
      const where = name === 'azure' ? 'az://devstoreaccount1/odd/nothing/' : 's3://odd/nothing/';
      const expected = `archive: nothing under ${where}\nhint: check the prefix; \`archive list\` of the container shows what is there\n`;
      for (const argv of [
        ['list', p.loc('odd', 'nothing/')],
        ['list', p.loc('odd', 'nothing/'), '--histogram'],
        ['cat', p.loc('odd', 'nothing/')],
        ['pull', p.loc('odd', 'nothing/'), join(tmp, 'never')],
        ['query', p.loc('odd', 'nothing/'), 'SELECT count(*) FROM logs'],
        ['query', p.loc('odd', 'nothing/'), '--emit', 'duckdb'],
      ]) {
        const r = await runInProcess(argv, CLOCK());
        assert.deepEqual([r.code, r.stderr], [4, expected], argv.join(' '));
      }
      // Filters that leave out what is there are not "not found".
      const none = await runInProcess(['list', p.loc('odd', 'g/'), '--since', '1h'], CLOCK());
      assert.equal(none.code, 0, none.stderr);
    });

    test('item 10: a location without a container or bucket is a usage error for every data command', async () => {
      const loc = name === 'azure' ? (p.emu as { serviceUrl: string }).serviceUrl : 's3://';
      const expected =
        name === 'azure'
          ? 'archive: az://devstoreaccount1 names no container: this command reads one\nhint: name it: az://devstoreaccount1/CONTAINER/PREFIX (`archive containers az://devstoreaccount1` lists them)\n'
          : 'archive: the location names no bucket: this command reads one\nhint: name it: s3://BUCKET/PREFIX (`archive buckets` lists them)\n';
      for (const argv of [
        ['list', loc],
        ['cat', loc],
        ['pull', loc, join(tmp, 'never')],
        ['query', loc, 'SELECT 1'],
      ]) {
        const r = await runInProcess(argv, CLOCK());
        assert.deepEqual([r.code, r.stderr, r.stdout], [2, expected, ''], argv.join(' '));
      }
    });

    test('item 10: a pull where every object failed exits 5, not 1; the key is named once, the hint fits', async () => {
      const dest = join(tmp, `linked-${name}`);
      const outside = join(tmp, `outside-${name}`);
      mkdirSync(dest, { recursive: true });
      mkdirSync(outside, { recursive: true });
      symlinkSync(outside, join(dest, 'enc'));
      const r = await runInProcess(['pull', p.loc('odd', 'g/'), dest, '--include', 'enc/*', '--include', 'tab/*'], CLOCK());
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(readdirSync(outside), []);
      const link = join(dest, 'enc');
      assert.ok(
        r.stderr.includes(
          `failed      g/enc/1.log: refusing to write outside ${dest}: enc/1.log passes through a link to ${outside} (UnsafePath)\n`,
        ),
        r.stderr,
      );
      assert.ok(
        r.stderr.endsWith(
          `archive: 1 of 2 objects failed; first: refusing to write outside ${dest}: enc/1.log passes through a link to ${outside} (UnsafePath)\n` +
            `hint: ${link} is a symbolic link out of DEST and is never followed: remove it (or replace it with a folder), or pull into another DEST\n`,
        ),
        r.stderr,
      );
      const every = await runInProcess(['pull', p.loc('odd', 'g/'), dest, '--include', 'enc/*'], CLOCK());
      assert.equal(every.code, 5, every.stderr);
      assert.match(every.stderr, /^archive: refusing to write outside .* \(UnsafePath\)\nhint: .* is a symbolic link out of DEST/m);
    });
  });
}
