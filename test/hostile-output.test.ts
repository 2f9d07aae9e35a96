/**
 * Issue #22, security and display items (1-4, 13, 16): keys and record values written by others
 * reach a person escaped (output/escape.ts), machine output and data keep them exact, every --emit
 * statement keeps each key inside its literal or comment and never reads it as a pattern (each
 * engine's statement run by that engine where it runs offline), list --urls / --paths give forms
 * clients resolve to exactly that object, and tables fit 80 columns.
 *
 * Both emulators where they allow it. Azurite answers 500 to a listing holding a key with ESC (and
 * the other C0 controls but tab, CR and LF, which XML 1.0 cannot carry), and the Azure SDK turns a
 * backslash in a blob name into '/' before it is sent: those keys are seeded on s3rver only.
 * Clock: no test here has a relative window; every time comes from the keys (fixed instants on the
 * last hour of a month).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runInProcess } from './support/io.js';
import { runCli } from './support/cli.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { AZURITE_KEY, type AzuriteEmulator, type S3Emulator } from './support/emulators.js';
import { escapeText } from '../src/output/escape.js';
import { textWidth } from '../src/output/table.js';
import { encodeSegment } from '../src/query/object-urls.js';

const require = createRequire(import.meta.url);
const DAY = 'logs/2026/11/30/23/';
const TTY = { ARCHIVE_FORCE_TTY: '1', COLUMNS: '80' };
/** Any character a terminal acts on: none may reach human output raw. */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const LONG = `long-${'x'.repeat(70)}\x1b.log`;
/** [name, how a person sees it]: the expected escapes, written out by hand. */
const BOTH: Array<[string, string]> = [
  ['cr\rover.log', 'cr\\rover.log'],
  ['new\nline.log', 'new\\nline.log'],
  ['tab\tx.log', 'tab\\tx.log'],
  ['rtl\u202egol.log', 'rtl\\u202egol.log'],
  [`quo'te "dq".log`, `quo'te "dq".log`],
  ['star*.log', 'star*.log'],
  ['starX.log', 'starX.log'],
  ['q?.log', 'q?.log'],
  ['qX.log', 'qX.log'],
  ['br[1].log', 'br[1].log'],
  ['br1.log', 'br1.log'],
  ['br{a,b}.log', 'br{a,b}.log'],
  ['bra.log', 'bra.log'],
  ['com,ma.log', 'com,ma.log'],
];
const S3_ONLY: Array<[string, string]> = [
  ['esc\x1b]0;pwned\x07.log', 'esc\\x1b]0;pwned\\x07.log'],
  ['clear\x1b[2J.log', 'clear\\x1b[2J.log'],
  ['back\\slash.log', 'back\\\\slash.log'],
  ['end\\', 'end\\\\'],
  ['del\x7f.log', 'del\\x7f.log'],
  ['c1\u0085.log', 'c1\\u0085.log'],
];
const BODY = Buffer.from('{"i":1}\n');
/** A record value any visitor of a site controls (Cloudflare's ClientRequestUserAgent, Vespa's user agent). */
const UA = 'curl \x1b]0;OWNED\x07 \x1b[2J\u202e';

function names(p: ProviderFixture): Array<[string, string]> {
  return p.name === 's3' ? [...BOTH, ...S3_ONLY] : BOTH;
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

test('escapeText: controls, DEL, C1, bidi, separators and the backslash shown visibly; plain text untouched', () => {
  const cases: Array<[string, string]> = [
    ['plain key/with spaces.log', 'plain key/with spaces.log'],
    ['\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['a\rb\nc\td', 'a\\rb\\nc\\td'],
    ['\x00\x7f', '\\x00\\x7f'],
    ['\u0085\u009b', '\\u0085\\u009b'],
    ['\u202e\u2066\u200b\u2028\ufeff', '\\u202e\\u2066\\u200b\\u2028\\ufeff'],
    ['back\\slash', 'back\\\\slash'],
    ['lone \ud800', 'lone \\ud800'],
    ['\u{e0001}', '\\u{e0001}'],
    ['日本語 é ✓', '日本語 é ✓'],
  ];
  for (const [raw, shown] of cases) assert.equal(escapeText(raw), shown, JSON.stringify(raw));
  // A '.' or '..' segment is encoded so no client resolves it away.
  assert.equal(encodeSegment('..'), '%2E%2E');
  assert.equal(encodeSegment('.'), '%2E');
  assert.equal(encodeSegment("a*b?c[d]'e(f)!"), 'a%2Ab%3Fc%5Bd%5D%27e%28f%29%21');
});

test('sas inspect: fields of a hostile token are escaped in the table, exact in JSON', async () => {
  const token = 'sv=2024-08-04&sr=c&sp=r&se=2030-01-01T00:00:00Z&sip=1.2.3.4%1B%5D0%3Bpwned%07&sig=abc';
  const r = await runInProcess(['sas', 'inspect', `https://acct.blob.core.windows.net/c?${token}`], { env: TTY });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, RAW);
  assert.match(r.stdout, /^ip range: +1\.2\.3\.4\\x1b\]0;pwned\\x07$/m);
  const j = await runInProcess(['sas', 'inspect', '--json', `https://acct.blob.core.windows.net/c?${token}`], { env: {} });
  assert.ok(j.stdout.includes(JSON.stringify('1.2.3.4\x1b]0;pwned\x07')), j.stdout);
});

for (const name of PROVIDERS) {
  describe(`hostile keys and values on ${name}`, () => {
    let p: ProviderFixture;
    const tmp = mkdtempSync(join(tmpdir(), 'archive-hostile-'));
    const keys: string[] = [];
    before(async () => {
      p = await startProvider(name);
      const objs = [
        ...names(p).map(([n]) => ({ key: `${DAY}${n}`, body: BODY })),
        { key: `${DAY}${p.name === 's3' ? LONG : LONG.replace('\x1b', '\u202e')}`, body: BODY },
      ];
      keys.push(...objs.map((o) => o.key));
      objs.push({ key: `${DAY}zz-garbage.log`, body: Buffer.from('not json {{{\n') });
      // Records: a hostile User-Agent; and a failing object (a gzip header, then garbage) named with hostile bytes.
      const bad = p.name === 's3' ? 'esc\x1b]0;pwned\x07.log.gz' : 'rtl\u202egol.log.gz';
      objs.push(
        { key: `rec/2026/11/30/23/a.log`, body: Buffer.from(`${JSON.stringify({ ua: UA, n: 1 })}\n`) },
        {
          key: `bad/2026/11/30/23/${bad}`,
          body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('garbage garbage garbage')]),
        },
        { key: 'bad/2026/11/30/23/ok.log', body: Buffer.from(`{"ua":"${UA}"}\n`) },
        { key: 'fld/2026/11/30/23/f.log', body: Buffer.from(`${JSON.stringify({ 'a\x1bb\u202e': 1 })}\n`) },
      );
      // Two Vespa hosts whose rows differ only by host.
      for (const h of ['h1001a.prod.aws-us-east-1c.vespa-app.cloud', 'h1002a.prod.aws-us-east-1c.vespa-app.cloud'])
        for (const t of ['20261130230001', '20261201000001'])
          objs.push({
            key: `acme/shop-search/default/${h}/logs/access/JsonAccessLog.default.${t}.zst`,
            body: Buffer.alloc(2048, 1),
          });
      // A host name is a key segment too (s3rver only: Azurite cannot list ESC).
      if (p.name === 's3')
        objs.push({ key: 'evil/shop/default/h\x1b[2J.evil/logs/access/JsonAccessLog.default.20261130230001.zst', body: BODY });
      await p.seed('hostile', objs);
    });
    after(async () => {
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('list on a terminal: every outside character escaped, every line 80 columns at most; ndjson keeps keys exact', async () => {
      const loc = p.loc('hostile', 'logs/');
      const r = await runInProcess(['list', loc, '--sort', 'key', '--exclude', '**/zz-garbage*'], { env: { ...p.env, ...TTY } });
      assert.equal(r.code, 0, r.stderr);
      const long = escapeText(`2026/11/30/23/${p.name === 's3' ? LONG : LONG.replace('\x1b', '\u202e')}`);
      const shown = [
        ...names(p).map(([n, s]) => [`${DAY}${n}`, `2026/11/30/23/${s}`]),
        [keys.at(-1)!, `${long.slice(0, 23)}…${long.slice(-23)}`],
      ].sort((a, b) => byKey(a[0]!, b[0]!));
      const expected = [
        'TIME (UTC)           SIZE  KIND  KEY',
        ...shown.map(([, s]) => `2026-11-30 23:00:00   8 B  logs  ${s}`),
        `${shown.length} objects, ${8 * shown.length} B (of ${shown.length + 1} scanned)`,
        '',
      ].join('\n');
      assert.equal(r.stdout, expected);
      assert.doesNotMatch(r.stdout, RAW);
      // The same bytes from the built binary (bin/archive.js → dist/).
      const spawned = await runCli(['list', loc, '--sort', 'key', '--exclude', '**/zz-garbage*'], { env: { ...p.env, ...TTY } });
      assert.equal(spawned.stdout, expected);
      for (const l of r.stdout.split('\n')) assert.ok(textWidth(l) <= 80, l);
      // Off a terminal, the table is still escaped (scripts use -o); machine output keeps every key exact.
      const piped = await runInProcess(['list', loc, '--exclude', '**/zz-garbage*'], { env: p.env });
      assert.doesNotMatch(piped.stdout, RAW);
      for (const format of ['ndjson', 'csv', 'json']) {
        const m = await runInProcess(['list', loc, '-o', format, '--exclude', '**/zz-garbage*'], { env: p.env });
        assert.equal(m.code, 0, m.stderr);
        if (format === 'ndjson')
          assert.deepEqual(
            m.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).key)
              .sort(byKey),
            [...keys].sort(byKey),
          );
        if (format === 'json')
          assert.deepEqual(
            JSON.parse(m.stdout)
              .objects.map((o: { key: string }) => o.key)
              .sort(byKey),
            [...keys].sort(byKey),
          );
        if (format === 'csv') for (const k of keys) assert.ok(m.stdout.includes(/[",\n\r]/.test(k) ? `"${k.replace(/"/g, '""')}"` : k), k);
      }
    });

    test('cat and pull: the failing object is named escaped, data is written untouched', async () => {
      const loc = p.loc('hostile', 'bad/');
      const shown = p.name === 's3' ? 'esc\\x1b]0;pwned\\x07.log.gz' : 'rtl\\u202egol.log.gz';
      const c = await runInProcess(['cat', loc, '--order', 'key', '--retries', '1'], { env: p.env });
      assert.equal(c.code, 5, c.stderr);
      assert.deepEqual(c.stdoutBuf, Buffer.from(`{"ua":"${UA}"}\n`), 'cat writes data as is');
      assert.doesNotMatch(c.stderr, RAW);
      assert.ok(c.stderr.includes(`archive: bad/2026/11/30/23/${shown}: `), c.stderr);
      const dest = join(tmp, `pull-${name}`);
      const pl = await runInProcess(['pull', loc, dest, '-d', '-c', '1'], { env: p.env });
      assert.equal(pl.code, 5, pl.stderr);
      assert.doesNotMatch(pl.stderr, RAW);
      assert.match(pl.stderr, new RegExp(`^failed {6}bad/2026/11/30/23/${shown.replace(/[\\[\]().*?]/g, '\\$&')}: `, 'm'));
      assert.deepEqual(readFileSync(join(dest, '2026/11/30/23/ok.log')), Buffer.from(`{"ua":"${UA}"}\n`));
    });

    test('query: a hostile record value is escaped in the table, exact in --json; the table fits 80 columns', async () => {
      const loc = p.loc('hostile', 'rec/');
      const t = await runInProcess(['query', loc, 'SELECT n, ua, _key FROM logs'], { env: { ...p.env, ...TTY } });
      assert.equal(t.code, 0, t.stderr);
      assert.equal(
        t.stdout,
        [
          'n  ua                                   _key',
          '─  ───────────────────────────────────  ───────────────────────',
          '1  curl \\x1b]0;OWNED\\x07 \\x1b[2J\\u202e  rec/2026/11/30/23/a.log',
          '',
        ].join('\n'),
      );
      const j = await runInProcess(['query', loc, '--json', 'SELECT ua FROM logs'], { env: p.env });
      assert.deepEqual(JSON.parse(j.stdout), [{ ua: UA }]);
      // A value wider than the terminal is cut visibly, never wrapped.
      const w = await runInProcess(['query', loc, `SELECT repeat('y', 200) AS a, repeat('z', 200) AS b, ua FROM logs`], {
        env: { ...p.env, ...TTY },
      });
      assert.equal(w.code, 0, w.stderr);
      for (const l of w.stdout.trimEnd().split('\n')) assert.ok(textWidth(l) <= 80, `${textWidth(l)}: ${l}`);
      assert.match(w.stdout, /y…/);
    });

    test('query --schema: a field name from a record is escaped in the table, exact in JSON', async () => {
      const r = await runInProcess(['query', p.loc('hostile', 'fld/'), '--schema'], { env: { ...p.env, ...TTY } });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW);
      assert.match(r.stdout, /^a\\x1bb\\u202e {2}BIGINT$/m);
      const j = await runInProcess(['query', p.loc('hostile', 'fld/'), '--schema', '--json'], { env: p.env });
      assert.ok(
        (JSON.parse(j.stdout) as { columns: Array<{ name: string }> }).columns.some((c) => c.name === 'a\x1bb\u202e'),
        j.stdout,
      );
      // --explain prints folders and prefixes, which come from keys.
      const e = await runInProcess(
        ['list', p.loc('hostile', 'logs/'), '--explain', '--since', '2026-11-30T23:00:00Z', '--until', '2026-12-01T00:00:00Z'],
        {
          env: p.env,
        },
      );
      assert.equal(e.code, 0, e.stderr);
      assert.doesNotMatch(e.stderr, RAW);
      assert.match(e.stderr, /^plan: /m);
    });

    test('validate: a hostile marker name is escaped in the table and the error, every line within 80 columns', async () => {
      const marker = p.name === 's3' ? 'mark\x1b[2J\u202e' : 'mark\u202e\t';
      const r = await runInProcess(['validate', p.loc('hostile', 'rec/'), '--no-write', '--marker', marker], { env: { ...p.env, ...TTY } });
      assert.equal(r.code, 4, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, RAW);
      assert.ok(r.stderr.includes(escapeText(marker)), r.stderr);
      for (const l of r.stdout.trimEnd().split('\n')) assert.ok(textWidth(l) <= 80, `${textWidth(l)}: ${l}`);
      const row = r.stdout.split('\n').find((l) => l.startsWith('marker '));
      assert.equal(
        row,
        p.name === 's3'
          ? 'marker mark\\x1b[2J\\u202e  ✗   NoSuchKey  no object "mark\\x1b[2J\\u202e" under s3…'
          : 'marker mark\\u202e\\t  ✗   BlobNotFound  no object "mark\\u202e\\t" under az://devs…',
      );
    });

    test('Vespa at 80 columns: HOST kept so two hosts never look the same; --long fits; --summary prints one total', async () => {
      const loc = p.loc('hostile', 'acme/');
      const r = await runInProcess(['list', loc, '--sort', 'key'], { env: { ...p.env, ...TTY } });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 5), [
        'TIME (UTC)              SIZE  KIND    HOST            KEY',
        '2026-11-30 23:00:01  2.0 KiB  access  h1001a.prod.a…  shop-search/…130230001.zst',
        '2026-12-01 00:00:01  2.0 KiB  access  h1001a.prod.a…  shop-search/…201000001.zst',
        '2026-11-30 23:00:01  2.0 KiB  access  h1002a.prod.a…  shop-search/…130230001.zst',
        '2026-12-01 00:00:01  2.0 KiB  access  h1002a.prod.a…  shop-search/…201000001.zst',
      ]);
      assert.equal(new Set(lines.slice(1, 5)).size, 4, 'every row tells itself apart');
      for (const l of lines) assert.ok(textWidth(l) <= 80, `${textWidth(l)}: ${l}`);
      const long = await runInProcess(['list', loc, '--long'], { env: { ...p.env, ...TTY } });
      for (const l of long.stdout.trimEnd().split('\n')) assert.ok(textWidth(l) <= 80, `--long ${textWidth(l)}: ${l}`);
      const s = await runInProcess(['list', loc, '--summary'], { env: { ...p.env, ...TTY } });
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stdout.match(/4 objects, 8\.0 KiB/g)?.length, 1, s.stdout);
      for (const l of s.stdout.trimEnd().split('\n')) assert.ok(textWidth(l) <= 80, `--summary ${textWidth(l)}: ${l}`);
      if (p.name !== 's3') return;
      const evil = await runInProcess(['list', p.loc('hostile', 'evil/'), '--summary'], { env: { ...p.env, ...TTY } });
      assert.doesNotMatch(evil.stdout, RAW);
      assert.match(evil.stdout, /^h\\x1b\[2J\.evil {2,}1 {2,}8 B/m);
      const rows = await runInProcess(['list', p.loc('hostile', 'evil/')], { env: { ...p.env, ...TTY } });
      assert.doesNotMatch(rows.stdout, RAW);
      assert.ok(rows.stdout.includes('h\\x1b[2J.evil'), rows.stdout);
    });

    test('list --urls: every URL fetches exactly its object; --paths feeds rclone --files-from-raw', async () => {
      const loc = p.loc('hostile', 'logs/');
      const sas = p.name === 'azure' ? azureSas() : '';
      const r = await runInProcess(['list', loc, '--urls', '--exclude', '**/zz-garbage*', '--sort', 'key'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const urls = r.stdout.trimEnd().split('\n');
      assert.equal(urls.length, keys.length, 'one line per object, whatever the key holds');
      assert.doesNotMatch(r.stdout, /[^\x21-\x7e\n]/, 'URLs are plain ASCII');
      for (const u of urls) {
        const res = await fetch(sas ? `${u}?${sas}` : u);
        assert.equal(res.status, 200, u);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), BODY, u);
      }
      // Which object each URL is: the decoded path is the key (no glob, no dot segment, no query).
      assert.deepEqual(
        urls.map((u) => decodeURIComponent(new URL(u).pathname).replace(/^\/(devstoreaccount1\/)?hostile\//, '')),
        [...keys].sort(byKey),
      );
      if (spawnSync('rclone', ['version']).status !== 0) return;
      // rclone maps control characters and backslashes to its own names (its --*-encoding): the
      // rclone round trip uses the keys it names as they are.
      const plainKeys = keys.filter((k) => !RAW.test(k) && !k.includes('\\') && !k.includes('\t'));
      const paths = await runInProcess(['list', loc, '--paths', '--exclude', '**/zz-garbage*'], { env: p.env });
      assert.equal(paths.code, 5, 'keys with a line break are named and left out');
      assert.match(paths.stderr, /left out of the list: a line break in a key cannot be one line of a file list/);
      const list = join(tmp, `files-${name}.txt`);
      writeFileSync(
        list,
        paths.stdout
          .split('\n')
          .filter((l) => plainKeys.includes(`logs/${l}`))
          .join('\n'),
      );
      const dest = join(tmp, `rclone-${name}`);
      const env = { ...realClockEnv(), AWS_CA_BUNDLE: undefined, ...rcloneEnv(p) };
      const rc = spawnSync(
        'rclone',
        ['copy', '--files-from-raw', list, '--no-traverse', '--retries', '1', '--low-level-retries', '1', `X:hostile/logs/`, dest],
        { env, encoding: 'utf8' },
      );
      assert.equal(rc.status, 0, rc.stderr);
      const copied = plainKeys.filter((k) => !/[\r\n]/.test(k));
      assert.ok(copied.length >= 10);
      for (const k of copied) assert.deepEqual(readFileSync(join(dest, k.slice('logs/'.length))), BODY, k);
    });

    test('--emit clickhouse runs in ClickHouse (chdb) exactly as printed and reads exactly the selected objects', async () => {
      const chdb = { query: chdbQuery };
      const loc = p.name === 'azure' ? `${p.loc('hostile', 'logs/')}?${azureSas()}` : p.loc('hostile', 'logs/');
      const env = p.name === 'azure' ? {} : p.env;
      const args = ['--exclude', '**/zz-garbage*'];
      const e = await runInProcess(
        [
          'query',
          loc,
          ...args,
          '--emit',
          'clickhouse',
          ...(p.name === 'azure' ? ['--with-sas'] : []),
          'SELECT _path FROM logs ORDER BY _path',
        ],
        {
          env,
        },
      );
      assert.equal(e.code, 0, e.stderr);
      assert.doesNotMatch(e.stdout, RAW, 'the statement itself is safe to print');
      // The garbage object sits in the same folder the glob lists: a count over it would fail to parse.
      const paths = chdb
        .query(e.stdout, 'JSONEachRow')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { _path: string })._path);
      assert.deepEqual(paths.sort(byKey), keys.map((k) => `hostile/${k}`).sort(byKey));
      const count = await runInProcess(['query', loc, ...args, '--csv', 'SELECT count(*) AS n FROM logs'], { env });
      assert.equal(count.code, 0, count.stderr);
      const sas = p.name === 'azure' ? ['--with-sas'] : [];
      const c = await runInProcess(['query', loc, ...args, '--emit', 'clickhouse', ...sas, 'SELECT count(*) AS n FROM logs'], { env });
      assert.equal(`n\n${chdb.query(c.stdout, 'CSV')}`, count.stdout);
      assert.equal(count.stdout, `n\n${keys.length}\n`);
    });

    test('--emit duckdb: literals keep every key; run by DuckDB over local copies it reads what archive query reads', async () => {
      // DuckDB's httpfs/azure extensions are not available offline: the objects are copied to
      // local files and the printed URLs' scheme and bucket swapped for that folder. The local file
      // system globs `*`, `?` and `[` where S3's URL_COMPATIBILITY_MODE reads a URL as it is, and
      // does not read the `\` escapes the azure extension's matcher reads: keys with those are
      // checked by text below, not run.
      const loc = p.loc('hostile', 'logs/');
      const args = ['--exclude', '**/zz-garbage*', '--exclude', '**/*[*?[]*', '--exclude', '**/*\\\\*'];
      const sql = 'SELECT _key, count(*) AS n FROM logs GROUP BY ALL ORDER BY ALL';
      const e = await runInProcess(['query', loc, ...args, '--emit', 'duckdb', sql], { env: p.env });
      assert.equal(e.code, 0, e.stderr);
      assert.doesNotMatch(e.stdout, RAW);
      const local = join(tmp, `duck-${name}`);
      const run = keys.filter((k) => !/[*?[\\]/.test(k));
      for (const k of run) {
        mkdirSync(dirname(join(local, k)), { recursive: true });
        writeFileSync(join(local, k), BODY);
      }
      const scheme = p.name === 'azure' ? "'az://hostile/" : "'s3://hostile/";
      const script = e.stdout
        .split('\n')
        .filter((l) => !/^(INSTALL|CREATE OR REPLACE SECRET)/.test(l))
        .join('\n')
        .split(scheme)
        .join(`'${local}/`);
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const got = (await c.runAndReadAll(script)).getRowObjectsJson();
      c.closeSync();
      db.closeSync();
      const q = await runInProcess(['query', loc, ...args, '--json', sql], { env: p.env });
      assert.equal(q.code, 0, q.stderr);
      assert.deepEqual(
        got.map((r) => ({ ...r, n: Number(r.n) })),
        JSON.parse(q.stdout),
      );
      assert.equal(got.length, run.length);
      if (p.name === 's3') assert.match(e.stdout, /URL_COMPATIBILITY_MODE true/);
      // The pattern forms, by text: az:// keys with glob characters escaped for the azure extension.
      const all = await runInProcess(['query', loc, '--exclude', '**/zz-garbage*', '--emit', 'duckdb'], { env: p.env });
      if (p.name === 'azure') {
        assert.ok(all.stdout.includes(`  'az://hostile/${DAY}br\\[1].log'`), all.stdout);
        assert.ok(all.stdout.includes(`  'az://hostile/${DAY}star\\*.log'`));
        assert.ok(all.stdout.includes(`('az://hostile/${DAY}br[1].log', '${DAY}br[1].log'`), 'the table keeps the URL itself');
      } else assert.ok(all.stdout.includes(`  's3://hostile/${DAY}br[1].log'`));
    });

    test('--emit trino: every line is a comment but the statement; piped, the manifest holds the exact paths', async () => {
      const loc = p.loc('hostile', 'logs/');
      const args = ['query', loc, '--exclude', '**/zz-garbage*', '--emit', 'trino', 'SELECT 1\rDROP TABLE important_table'];
      const r = await runInProcess(args, { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split(/\r\n|\r|\n/);
      const start = lines.findIndex((l) => l.startsWith('CREATE EXTERNAL TABLE'));
      const end = lines.findIndex((l, i) => i >= start && l.endsWith(';'));
      lines.forEach((l, i) => {
        if (i < start || i > end) assert.ok(l === '' || l.startsWith('--'), `a live line: ${JSON.stringify(l)}`);
      });
      const base = p.name === 'azure' ? 'abfss://hostile@devstoreaccount1.dfs.core.windows.net/' : 's3://hostile/';
      const manifest = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('-- manifest: '))
        .map((l) => l.slice('-- manifest: '.length));
      assert.deepEqual(
        manifest.sort(byKey),
        keys
          .filter((k) => !/[\r\n]/.test(k))
          .map((k) => base + k)
          .sort(byKey),
      );
      assert.match(r.stdout, /^-- left out: 2 objects whose key holds a line break/m);
      assert.ok(r.stdout.includes(`--   ${DAY}cr\\rover.log\n`));
      // On a terminal the manifest lines are shown escaped.
      const t = await runInProcess(args, { env: { ...p.env, ...TTY } });
      assert.doesNotMatch(t.stdout, RAW);
      assert.ok(t.stdout.includes(`-- manifest: ${base}${DAY}rtl\\u202egol.log\n`));
    });

    test('--emit spark: Python parses it; each path is a Hadoop glob matching only its key', async (t) => {
      if (spawnSync('python3', ['-c', '0']).status !== 0) return t.skip('python3 not installed');
      const loc = p.loc('hostile', 'logs/');
      const r = await runInProcess(['query', loc, '--exclude', '**/zz-garbage*', '--emit', 'spark', "SELECT \"x\" ''' \\ 1"], {
        env: p.env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW);
      const file = join(tmp, `spark-${name}.py`);
      writeFileSync(file, r.stdout);
      const py = spawnSync(
        'python3',
        [
          '-c',
          'import ast,json,sys\nm=ast.parse(open(sys.argv[1]).read())\nkinds=[type(n).__name__ for n in m.body]\npaths=[ast.literal_eval(n.value) for n in m.body if isinstance(n,ast.Assign) and n.targets[0].id=="paths"][0]\nprint(json.dumps({"kinds":kinds,"paths":paths}))',
          file,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(py.status, 0, py.stderr);
      const out = JSON.parse(py.stdout) as { kinds: string[]; paths: string[] };
      assert.deepEqual(out.kinds, ['ImportFrom', 'Assign', 'Assign', 'Expr', 'Expr']);
      const base = p.name === 'azure' ? 'abfss://hostile@devstoreaccount1.dfs.core.windows.net/' : 's3a://hostile/';
      assert.deepEqual(out.paths.sort(byKey), keys.map((k) => base + k.replace(/[{}[\]*?\\]/g, '\\$&')).sort(byKey));
    });

    function azureSas(): string {
      return sasFor(p.emu as AzuriteEmulator);
    }
  });
}

function sasFor(_emu: AzuriteEmulator): string {
  const {
    generateAccountSASQueryParameters,
    AccountSASPermissions,
    AccountSASResourceTypes,
    AccountSASServices,
    StorageSharedKeyCredential,
  } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
  return generateAccountSASQueryParameters(
    {
      permissions: AccountSASPermissions.parse('rl'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
      // The SAS is checked by Azurite against the real clock: a fixed one would expire.
      expiresOn: new Date(Date.now() + 3600_000),
    },
    new StorageSharedKeyCredential('devstoreaccount1', AZURITE_KEY),
  ).toString();
}

/**
 * This environment for a tool that talks to the emulators: under faketime (the clock check of this
 * file) the tool keeps the real clock the emulators answer with, as a real client and server share one.
 */
function realClockEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_NO_CACHE', 'DYLD_INSERT_LIBRARIES']) delete env[k];
  return env;
}

/**
 * Runs SQL in ClickHouse (the chdb package, a devDependency) in its own process, as clickhouse-local
 * would: the statement exactly as archive printed it, on stdin.
 */
function chdbQuery(sql: string, format = 'CSV'): string {
  const r = spawnSync(
    process.execPath,
    ['-e', `const q=require('fs').readFileSync(0,'utf8');process.stdout.write(require('chdb').query(q,${JSON.stringify(format)}))`],
    {
      input: sql,
      encoding: 'utf8',
      // No credential chain beyond the statement: without this ClickHouse's s3() asks the EC2
      // metadata service (169.254.169.254) for a role first (seen with strace), off loopback.
      env: { ...realClockEnv(), AWS_EC2_METADATA_DISABLED: 'true' },
      cwd: dirname(require.resolve('chdb/package.json')),
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function rcloneEnv(p: ProviderFixture): Record<string, string> {
  if (p.name === 'azure')
    return {
      RCLONE_CONFIG_X_TYPE: 'azureblob',
      RCLONE_CONFIG_X_USE_EMULATOR: 'true',
      RCLONE_CONFIG_X_ENDPOINT: (p.emu as AzuriteEmulator).serviceUrl,
    };
  const emu = p.emu as S3Emulator;
  return {
    RCLONE_CONFIG_X_TYPE: 's3',
    RCLONE_CONFIG_X_PROVIDER: 'Other',
    RCLONE_CONFIG_X_ENDPOINT: emu.endpoint,
    RCLONE_CONFIG_X_FORCE_PATH_STYLE: 'true',
    // Anonymous (s3rver serves unsigned reads): a signed request carries rclone's own clock, which
    // a Go binary keeps under faketime while the emulator's moves (this file's clock check).
  };
}
