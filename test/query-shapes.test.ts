/**
 * `archive query` over mixed and empty windows (issue #22 items 8 and 11), on both emulators:
 *   8  Vespa access and connection logs in one window keep each kind's typed columns (`time` and
 *      `timestamp` are TIMESTAMP, so time_bucket works; access `localport` and connection
 *      `localPort` are one INTEGER column); --schema names the views in force; --clip clips both
 *      kinds by their own time; `--emit duckdb`, run by DuckDB over local copies, has the same
 *      column types and gives the same answer;
 *   11 a window with no object still has the typed view's columns: --out writes a file with them,
 *      --csv prints the header, --json `[]`, a misspelt column fails as over a full window (exit
 *      2); with no vendor to go by, --schema says why there is no typed view.
 * The clock is fixed (ARCHIVE_NOW 2026-12-01T01:30Z); the window crosses midnight and the end of
 * November.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runInProcess } from './support/io.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { ZstdFixtures, zstdProgram } from './support/zstd-fixtures.js';

const NOW = new Date('2026-12-01T01:30:00Z');
const EMPTY_NOW = new Date('2026-12-03T12:00:00Z');
const H = 'acme/shop/default/h1.example/logs';
const epoch = (iso: string) => Date.parse(iso) / 1000;

const access = (start: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      ip: '10.0.0.1',
      time: epoch(start) + i * 60 + 0.25,
      duration: 0.01 * (i + 1),
      responsesize: 100 + i,
      code: i % 2 ? 404 : 200,
      method: 'GET',
      uri: `/search/?q=${i}`,
      version: 'HTTP/1.1',
      scheme: 'https',
      localport: 4443,
      peerport: 50000 + i,
    }),
  );
const connection = (start: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `conn-${start}-${i}`,
      timestamp: new Date(Date.parse(start) + i * 60_000 + 500).toISOString(),
      duration: 1.5 + i,
      peerAddress: '10.0.0.2',
      peerPort: 40000 + i,
      localAddress: '10.0.0.9',
      localPort: 4443,
      httpBytesReceived: 10 * (i + 1),
      httpBytesSent: 20 * (i + 1),
      requests: i + 1,
      responses: i + 1,
      ssl: { protocol: 'TLSv1.3' },
    }),
  );

/** zstd by Node's zlib or the zstd program; gzip where neither exists (decoding goes by the bytes). */
function compress(lines: string[]): Buffer {
  const text = Buffer.from(`${lines.join('\n')}\n`);
  const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
  if (z.zstdCompressSync) return z.zstdCompressSync(text);
  const bin = zstdProgram();
  if (!bin) return zlib.gzipSync(text);
  const fx = new ZstdFixtures(bin);
  try {
    return fx.compress(text);
  } finally {
    fx.cleanup();
  }
}

const OBJECTS = [
  { key: `${H}/access/JsonAccessLog.default.20261130230001.zst`, lines: access('2026-11-30T23:00:01Z', 3) },
  { key: `${H}/access/JsonAccessLog.default.20261201000001.zst`, lines: access('2026-12-01T00:00:01Z', 2) },
  { key: `${H}/connection/ConnectionLog.default.20261130230001.zst`, lines: connection('2026-11-30T23:00:01Z', 2) },
  { key: `${H}/connection/ConnectionLog.default.20261201000001.zst`, lines: connection('2026-12-01T00:00:01Z', 1) },
];

const lines = (s: string) => s.trimEnd().split('\n');
/**
 * The last hour before EMPTY_NOW, closed at `now`: nothing keyed in it, and objects timed by their
 * last-modified moment (the real clock, days after EMPTY_NOW) fall after it.
 */
const EMPTY = ['--since', '1h', '--until', 'now'];

for (const name of PROVIDERS) {
  describe(`query over mixed and empty windows (${name})`, () => {
    let p: ProviderFixture;
    let tmp: string;
    const bodies = OBJECTS.map((o) => ({ key: o.key, body: compress(o.lines) }));
    before(async () => {
      p = await startProvider(name);
      tmp = mkdtempSync(join(tmpdir(), 'archive-qshapes-'));
      await p.seed('shapes', [...bodies, { key: 'plain/app/x.log', body: '{"msg":"hello"}\n' }]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });
    // A private TMPDIR: a query's temp dir, and the dead ones it reclaims, are this file's only.
    const run = (args: string[], now = NOW) =>
      runInProcess(['query', ...args], { env: { ...p.env, ARCHIVE_NOW: now.toISOString(), TMPDIR: tmp }, now });
    const vespa = () => p.loc('shapes', 'acme/');

    test('item 8: access and connection logs mixed keep both typed views; time_bucket works on each', async () => {
      const r = await run([
        vespa(),
        '--since',
        '3h',
        '--csv',
        'SELECT _kind, time_bucket(INTERVAL 1 HOUR, coalesce(time, timestamp)) AS hour, count(*) AS n, sum(duration) AS d, max(localport) AS lp FROM logs GROUP BY ALL ORDER BY ALL',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), [
        '_kind,hour,n,d,lp',
        'access,2026-11-30 23:00:00,3,0.06,4443',
        'access,2026-12-01 00:00:00,2,0.03,4443',
        'connection,2026-11-30 23:00:00,2,4.0,4443',
        'connection,2026-12-01 00:00:00,1,1.5,4443',
      ]);
      // `time` alone, as the Binder Error had it: a TIMESTAMP, not a DOUBLE.
      const t = await run([
        vespa(),
        '--since',
        '3h',
        '--csv',
        "SELECT time_bucket(INTERVAL 1 HOUR, time) AS h, count(*) AS n FROM logs WHERE _kind = 'access' GROUP BY 1 ORDER BY 1",
      ]);
      assert.equal(t.code, 0, t.stderr);
      assert.deepEqual(lines(t.stdout), ['h,n', '2026-11-30 23:00:00,3', '2026-12-01 00:00:00,2']);
      // One port column for both kinds (DuckDB names are case-insensitive), typed.
      const ports = await run([vespa(), '--since', '3h', '--csv', 'SELECT _kind, min(peerport) AS p FROM logs GROUP BY 1 ORDER BY 1']);
      assert.deepEqual(lines(ports.stdout), ['_kind,p', 'access,50000', 'connection,40000']);
    });

    test('item 8: --schema names the views in force and types every field of both', async () => {
      const r = await run([vespa(), '--since', '3h', '--schema', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, 'archive: typed views: vespa-access, vespa-connection (from the objects’ kinds; --view overrides)\n');
      const doc = JSON.parse(r.stdout) as { vendor: string; views: string[]; columns: Array<{ name: string; type: string }> };
      assert.deepEqual(doc.views, ['vespa-access', 'vespa-connection']);
      const types = Object.fromEntries(doc.columns.map((c) => [c.name.toLowerCase(), c.type]));
      for (const [col, type] of Object.entries({
        time: 'TIMESTAMP',
        timestamp: 'TIMESTAMP',
        duration: 'DOUBLE',
        code: 'INTEGER',
        localport: 'INTEGER',
        peerport: 'INTEGER',
        httpbytesreceived: 'BIGINT',
        requests: 'BIGINT',
        agent: 'VARCHAR', // in no record: a typed NULL column
        remoteport: 'INTEGER',
      }))
        assert.equal(types[col], type, col);
      assert.equal(doc.columns.filter((c) => c.name.toLowerCase() === 'localport').length, 1);
      // --view narrows to one; 'none' gives the fields as detected.
      const one = await run([vespa(), '--since', '3h', '--schema', '-o', 'json', '--view', 'vespa-connection']);
      assert.deepEqual(JSON.parse(one.stdout).views, ['vespa-connection']);
      assert.equal(one.stderr, 'archive: typed view: vespa-connection (--view)\n');
      const none = await run([vespa(), '--since', '3h', '--schema', '-o', 'json', '--view', 'none']);
      assert.deepEqual(JSON.parse(none.stdout).views, []);
      assert.equal(none.stderr, 'archive: no typed view: --view none; `logs` is `logs_raw`\n');
    });

    test('item 8: --clip keeps each kind’s records inside the window by their own time', async () => {
      // 23:01:00–00:00:30 selects all four objects (their spans overlap it). Clipped by each record's
      // own time: access 23:01:01.25, 23:02:01.25, 00:00:01.25 (23:00:01.25 and 00:01:01.25 out),
      // connection 23:01:01.5 and 00:00:01.5 (23:00:01.5 out).
      const r = await run([
        vespa(),
        '--since',
        '2026-11-30T23:01:00Z',
        '--until',
        '2026-12-01T00:00:30Z',
        '--clip',
        '--csv',
        'SELECT _kind, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), ['_kind,n', 'access,3', 'connection,2']);
      const whole = await run([
        vespa(),
        '--since',
        '2026-11-30T23:01:00Z',
        '--until',
        '2026-12-01T00:00:30Z',
        '--csv',
        'SELECT _kind, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1',
      ]);
      assert.deepEqual(lines(whole.stdout), ['_kind,n', 'access,5', 'connection,3']);
    });

    test('item 8: --emit duckdb, run by DuckDB over local copies, has the same column types and answer', async () => {
      const sql =
        'SELECT _kind, count(*) AS n, sum(localport) AS lp, min(time) AS t0, min(timestamp) AS c0 FROM logs GROUP BY 1 ORDER BY 1';
      const e = await run([vespa(), '--since', '3h', '--emit', 'duckdb', sql]);
      assert.equal(e.code, 0, e.stderr);
      const scheme = name === 'azure' ? 'az://shapes/' : 's3://shapes/';
      const local = mkdtempSync(join(tmp, 'copies-'));
      let script = e.stdout;
      for (const o of bodies) {
        const file = join(local, o.key);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, o.body);
        script = script.split(`'${scheme}${o.key}'`).join(`'${file}'`);
      }
      assert.doesNotMatch(script, /'(az|s3):\/\//);
      script = script
        .split('\n')
        .filter((l) => !/^(INSTALL|CREATE OR REPLACE SECRET)/.test(l))
        .join('\n');
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      await c.run("SET TimeZone = 'UTC'");
      const answer = (await c.runAndReadAll(script)).getRowObjectsJson();
      const described = (await c.runAndReadAll('DESCRIBE logs'))
        .getRowObjectsJson()
        .map((r) => [String(r.column_name).toLowerCase(), String(r.column_type)]);
      c.closeSync();
      db.closeSync();
      const schema = await run([vespa(), '--since', '3h', '--schema', '-o', 'json']);
      const ours = (JSON.parse(schema.stdout).columns as Array<{ name: string; type: string }>).map((x) => [x.name.toLowerCase(), x.type]);
      const sorted = (xs: string[][]) => [...xs].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      assert.deepEqual(sorted(described), sorted(ours));
      const q = await run([vespa(), '--since', '3h', '--json', sql]);
      assert.equal(q.code, 0, q.stderr);
      assert.deepEqual(
        answer.map((r) => ({ ...r, n: Number(r.n), lp: Number(r.lp) })),
        JSON.parse(q.stdout),
      );
    });

    test('item 11: an empty window has the typed columns: --out writes them, --csv its header, --json []', async () => {
      // Two days later, a one-hour window: nothing in it; the location's logs say Vespa access + connection.
      const cols = await run([vespa(), ...EMPTY, '--schema', '-o', 'json'], EMPTY_NOW);
      assert.equal(cols.code, 0, cols.stderr);
      const empty = JSON.parse(cols.stdout) as { views: string[]; columns: Array<{ name: string; type: string }> };
      assert.deepEqual(empty.views, ['vespa-access', 'vespa-connection']);
      const full = JSON.parse((await run([vespa(), '--since', '3h', '--schema', '-o', 'json'])).stdout) as typeof empty;
      // Every typed field of the full window is there, with its type (record-only fields like ssl are not).
      const typedFull = full.columns.filter((c) => c.name !== 'ssl').map((c) => `${c.name.toLowerCase()} ${c.type}`);
      assert.deepEqual(empty.columns.map((c) => `${c.name.toLowerCase()} ${c.type}`).sort(), typedFull.sort());

      const csv = await run([vespa(), ...EMPTY, '--csv', 'SELECT uri, code, timestamp FROM logs'], EMPTY_NOW);
      assert.deepEqual(
        [csv.code, csv.stdout, csv.stderr],
        [0, 'uri,code,timestamp\n', 'archive: no objects match the location and filters: the result is empty\n'],
      );
      const js = await run([vespa(), ...EMPTY, '--json', 'SELECT uri FROM logs'], EMPTY_NOW);
      assert.deepEqual(JSON.parse(js.stdout), []);
      for (const ext of ['parquet', 'csv']) {
        const file = join(tmp, `empty-${name}.${ext}`);
        const r = await run([vespa(), ...EMPTY, '--out', file, 'SELECT * FROM logs'], EMPTY_NOW);
        assert.equal(r.code, 0, r.stderr);
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        const d = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjectsJson();
        const n = (await c.runAndReadAll(`SELECT count(*) AS n FROM '${file}'`)).getRowObjectsJson()[0]!.n;
        c.closeSync();
        db.closeSync();
        assert.equal(Number(n), 0);
        assert.deepEqual(
          d.map((x) => String(x.column_name)),
          empty.columns.map((x) => x.name),
          ext,
        );
        if (ext === 'csv') assert.equal(readFileSync(file, 'utf8'), `${empty.columns.map((x) => x.name).join(',')}\n`);
        else
          assert.deepEqual(
            d.map((x) => String(x.column_type)),
            empty.columns.map((x) => x.type),
          );
      }
    });

    test('item 11: a misspelt column fails the same way over an empty window as over a full one', async () => {
      const sql = 'SELECT urii FROM logs';
      const emptyRun = await run([vespa(), ...EMPTY, sql], EMPTY_NOW);
      const fullRun = await run([vespa(), '--since', '3h', sql]);
      assert.equal(emptyRun.code, 2, emptyRun.stderr);
      assert.equal(fullRun.code, 2, fullRun.stderr);
      const error = (s: string) => s.split('\n').find((l) => l.startsWith('archive: SQL:'));
      assert.equal(
        error(emptyRun.stderr),
        'archive: SQL: Binder Error: Referenced column "urii" not found in FROM clause! (at line 1, column 8: SELECT urii FROM logs)',
      );
      assert.equal(error(emptyRun.stderr), error(fullRun.stderr));
    });

    test('item 11: no vendor to go by: --schema says why there is no typed view; --view names one', async () => {
      const plain = p.loc('shapes', 'plain/');
      const r = await run([plain, ...EMPTY, '--schema', '-o', 'json'], EMPTY_NOW);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).views, []);
      assert.match(
        r.stderr,
        /^archive: no typed view: the records under the location are of no vendor kind with a typed view; `logs` is `logs_raw`$/m,
      );
      const bad = await run([plain, ...EMPTY, 'SELECT uri FROM logs'], EMPTY_NOW);
      assert.equal(bad.code, 2);
      // Told the view, an empty window has its columns.
      const told = await run(
        [plain, ...EMPTY, '--view', 'cloudflare-http', '--csv', 'SELECT EdgeStartTimestamp, EdgeResponseStatus FROM logs'],
        EMPTY_NOW,
      );
      assert.equal(told.code, 0, told.stderr);
      assert.equal(told.stdout, 'EdgeStartTimestamp,EdgeResponseStatus\n');
    });
  });
}
