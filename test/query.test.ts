/**
 * `archive query` on both emulators with the real embedded DuckDB. Every expected answer is
 * computed here in JS from the records the test generated; the object set is what `archive list`
 * selects with the same filters. Pruning is checked by counting object GETs through a proxy.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, cleanEnv, BIN, ROOT } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { zstdProgram } from './support/zstd-fixtures.js';
import type { AzuriteEmulator } from './support/emulators.js';

const zstdBin = zstdProgram();

function zstd(data: string | Buffer): Buffer {
  const r = spawnSync(zstdBin!, ['-q', '-c', '--no-progress'], { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
  return r.stdout;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ndjson = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const HOUR = 3600;
const T0 = Date.UTC(2026, 0, 5, 10) / 1000; // 2026-01-05T10:00:00Z

// ------------------------------------------------------------------------------------------
// Vespa access logs: 2 hosts × 3 hours, mixed .zst (one multi-frame), .gz and plain.

interface VespaRec {
  ip: string;
  time: number;
  duration: number;
  code: number;
  method: string;
  uri: string;
  responsesize: number;
}
const PATHS = ['/search/', '/document/v1/music/music/docid/', '/state/v1/health', '/status.html'];
function vespaRecords(seed: number, start: number, n: number): VespaRec[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    ip: `10.0.0.${Math.floor(r() * 200)}`,
    time: start + Math.floor((i * HOUR * 1000) / n) / 1000,
    duration: Math.round(r() * 500_000) / 1_000_000,
    code: r() < 0.1 ? 503 : 200,
    method: 'GET',
    uri: `${PATHS[Math.floor(r() * PATHS.length)]}?q=${Math.floor(r() * 1e6)}`,
    responsesize: Math.floor(r() * 20_000),
  }));
}

const VBASE = 'acme/search/prod';
interface Seeded {
  key: string;
  body: Buffer;
  records?: object[];
}
function vespaObjects(): Seeded[] {
  const out: Seeded[] = [];
  let seed = 1;
  for (const host of ['h1.example', 'h2.example']) {
    for (const h of [0, 1, 2]) {
      const recs = vespaRecords(seed++, T0 + h * HOUR, 400 + 50 * h);
      const stamp = `20260105${String(10 + h)}0000`;
      const text = ndjson(recs);
      const variant = (seed + h) % 3;
      let key = `${VBASE}/${host}/logs/access/JsonAccessLog.default.${stamp}`;
      let body: Buffer;
      if (variant === 0) {
        // Two zstd frames back to back, as a log rotated mid-write gets compressed.
        const cut = text.indexOf('\n', text.length >> 1) + 1;
        body = Buffer.concat([zstd(text.slice(0, cut)), zstd(text.slice(cut))]);
        key += '.zst';
      } else if (variant === 1) {
        body = gzipSync(text);
        key += '.gz';
      } else if (host === 'h1.example') {
        body = zstd(text);
        key += '.zst';
      } else body = Buffer.from(text);
      out.push({ key, body, records: recs });
    }
  }
  // Not records: must never be fetched nor read as NDJSON.
  out.push({ key: `${VBASE}/h1.example/heap-dump/java_pid42.hprof`, body: randomBytes(4096) });
  return out;
}

// ------------------------------------------------------------------------------------------
// Cloudflare http_requests: Logpush's unixnano in one file, RFC 3339 in another.

interface CfRec {
  ClientIP: string;
  ClientRequestPath: string;
  EdgeResponseStatus: number;
  EdgeStartTimestamp: number | string;
  RayID: string;
}
function cloudflareObjects(): Seeded[] {
  const r = rng(99);
  const mk = (start: number, n: number, fmt: 'unixnano' | 'rfc3339'): CfRec[] =>
    Array.from({ length: n }, (_, i) => {
      const t = start + i * 7;
      return {
        ClientIP: `192.0.2.${i % 50}`,
        ClientRequestPath: `/api/v${1 + Math.floor(r() * 3)}/${['users', 'orders', 'cart', 'login', 'search', 'img'][Math.floor(r() * 6)]}`,
        EdgeResponseStatus: r() < 0.2 ? [500, 502, 503][Math.floor(r() * 3)]! : 200,
        EdgeStartTimestamp: fmt === 'unixnano' ? t * 1e9 : new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
        RayID: randomBytes(8).toString('hex'),
      };
    });
  const a = mk(T0, 500, 'unixnano');
  const b = mk(T0 + HOUR, 500, 'rfc3339');
  return [
    { key: 'http/20260105/20260105T100000Z_20260105T110000Z_a1b2c3d4.log.gz', body: gzipSync(ndjson(a)), records: a },
    { key: 'http/20260105/20260105T110000Z_20260105T120000Z_e5f6a7b8.log.gz', body: gzipSync(ndjson(b)), records: b },
    { key: 'http/ownership-challenge-0a1b2c3d.txt', body: Buffer.from('0123456789abcdef\n') },
  ];
}

// ------------------------------------------------------------------------------------------
// Amplitude events, with a backfill re-export of hour 11 in another folder (--dedupe keeps it).

function amplitudeRecords(seed: number, hour: number, n: number): object[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const t = new Date((T0 + (hour - 10) * HOUR + Math.floor(r() * HOUR)) * 1000);
    const at = `${t.toISOString().slice(0, 10)} ${t.toISOString().slice(11, 19)}.${String(i % 1000).padStart(3, '0')}000`;
    return {
      event_id: i,
      event_time: at,
      server_upload_time: at,
      event_type: ['session_start', 'purchase', 'page_view', 'signup'][Math.floor(r() * 4)],
      user_id: `u${Math.floor(r() * 30)}`,
      event_properties: { plan: ['free', 'pro'][Math.floor(r() * 2)], amount: Math.floor(r() * 100) },
    };
  });
}
function amplitudeObjects(): { original: Seeded[]; backfill: Seeded[] } {
  const h10 = amplitudeRecords(10, 10, 300);
  const h11 = amplitudeRecords(11, 11, 250);
  const h11b = amplitudeRecords(12, 11, 270);
  return {
    original: [
      { key: 'exports/123456_2026-01-05_10#0.json.gz', body: gzipSync(ndjson(h10)), records: h10 },
      { key: 'exports/123456_2026-01-05_11#0.json.gz', body: gzipSync(ndjson(h11)), records: h11 },
    ],
    // 'z-…' sorts after 'exports/', so it wins --dedupe even on an equal last-modified second.
    backfill: [{ key: 'z-backfill/123456_2026-01-05_11#0.json.gz', body: gzipSync(ndjson(h11b)), records: h11b }],
  };
}

// ------------------------------------------------------------------------------------------

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} != ${expected}`);
}

async function listedKeys(p: ProviderFixture, loc: string, args: string[]): Promise<string[]> {
  const r = await runCli(['list', loc, '--ndjson', ...args], { env: p.env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { key: string }).key);
}

function json<T = Record<string, unknown>>(stdout: string): T[] {
  return JSON.parse(stdout) as T[];
}

/**
 * Lists every file and folder left under dir (recursively), except Node's own compile cache
 * (bin/archive.js enables it; Node 24 keeps it under TMPDIR).
 */
function leftovers(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => !f.startsWith('node-compile-cache'))
    : [];
}

/** The message archive's own decoder (this Node's zstd/gzip decoder) gives for corrupt bytes. */
async function decodeFailure(body: Buffer, codec: 'zstd' | 'gzip', key: string): Promise<string> {
  const { createDecoder } = await import('../src/decompress/index.js');
  const { Readable, Writable } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');
  try {
    await pipeline(Readable.from([body]), await createDecoder(codec, { label: key }), new Writable({ write: (_c, _e, cb) => cb() }));
  } catch (err) {
    return (err as Error).message.replace(`${key}: `, '');
  }
  throw new Error('the corrupt fixture decoded fine');
}

/** Polls (every 10 ms) until cond() holds: synchronises on a state change, not on a guessed delay. */
async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const name of PROVIDERS) {
  describe(`query on ${name}`, { skip: zstdBin ? false : 'the zstd program is needed to make .zst fixtures' }, () => {
    let p: ProviderFixture;
    let tmp: string;
    const vespa = vespaObjects();
    const cf = cloudflareObjects();
    const amp = amplitudeObjects();
    const typeRows = Array.from({ length: 30_010 }, (_, i) => ({
      i,
      v: i < 30_000 ? i : `text-${i}`,
      tag: i % 7 === 0 ? 'seven' : 'other',
    }));
    const goodGz = ndjson(vespaRecords(500, T0, 200));
    const corruptZst = zstd(ndjson(vespaRecords(501, T0 + HOUR, 2000)));
    corruptZst.fill(0x55, 200, 260);

    before(async () => {
      p = await startProvider(name);
      tmp = mkdtempSync(join(tmpdir(), 'archive-query-test-'));
      await p.seed('vespa', vespa);
      await p.seed('logpush', cf);
      await p.seed('amp', amp.original);
      await p.seed('amp', amp.backfill);
      await p.seed('types', [{ key: 'x/2026-01-05_10.ndjson.gz', body: gzipSync(ndjson(typeRows)) }]);
      await p.seed('corrupt', [
        { key: 'c/JsonAccessLog.default.20260105100000.gz', body: gzipSync(goodGz) },
        { key: 'c/JsonAccessLog.default.20260105110000.zst', body: corruptZst },
      ]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const window = ['--since', '2026-01-05T11:00:00Z', '--until', '2026-01-05T13:00:00Z'];

    test('Vespa: count, avg and p99 per endpoint over the window, matching the records of the objects list selects', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const keys = await listedKeys(p, loc, window);
      assert.equal(keys.length, 4, keys.join('\n'));
      const recs = vespa.filter((o) => keys.includes(o.key)).flatMap((o) => o.records as VespaRec[]);
      const sql =
        "SELECT split_part(uri, '?', 1) AS path, count(*) AS n, avg(duration) AS avg_s, quantile_disc(duration, 0.99) AS p99, sum(responsesize) AS bytes FROM logs GROUP BY 1 ORDER BY 1";
      const r = await runCli(['query', loc, ...window, '--json', sql], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      // -o json is --json (avg is summed in parallel by DuckDB: equal to ~1e-15, not bit for bit).
      const rounded = (s: string) => JSON.parse(s).map((g: { avg_s: number }) => ({ ...g, avg_s: g.avg_s.toFixed(9) }));
      assert.deepEqual(rounded((await runCli(['query', loc, ...window, '-o', 'json', sql], { env: p.env })).stdout), rounded(r.stdout));
      const got = json<{ path: string; n: number; avg_s: number; p99: number; bytes: number }>(r.stdout);
      const expected = [...groupBy(recs, (x) => x.uri.split('?')[0]!)].sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(
        got.map((g) => g.path),
        expected.map(([k]) => k),
      );
      for (const [i, [path, rows]] of expected.entries()) {
        assert.equal(got[i]!.n, rows.length, path);
        assertClose(got[i]!.avg_s, rows.reduce((s, x) => s + x.duration, 0) / rows.length, `avg ${path}`);
        const sorted = rows.map((x) => x.duration).sort((a, b) => a - b);
        // quantile_disc: the smallest value with at least 99% of the values at or below it.
        assert.equal(got[i]!.p99, sorted[Math.ceil(0.99 * sorted.length) - 1], `p99 ${path}`);
        assert.equal(
          got[i]!.bytes,
          rows.reduce((s, x) => s + x.responsesize, 0),
        );
      }
    });

    test('Vespa: _key, _host, _kind, _time name where each record came from; time is a TIMESTAMP', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const r = await runCli(
        [
          'query',
          loc,
          '--json',
          'SELECT _key, _host, _kind, _time, count(*) AS n, min(time) AS first, typeof(min(time)) AS t FROM logs GROUP BY ALL ORDER BY _key',
        ],
        { env: p.env },
      );
      assert.equal(r.code, 0, r.stderr);
      const got = json<{ _key: string; _host: string; _kind: string; _time: string; n: number; first: string; t: string }>(r.stdout);
      const objs = vespa.filter((o) => o.records).sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(
        got.map((g) => [g._key, g._host, g._kind, g.n]),
        objs.map((o) => [o.key, o.key.split('/')[3], 'access', o.records!.length]),
      );
      for (const [i, o] of objs.entries()) {
        const stamp = /(\d{4})(\d\d)(\d\d)(\d\d)0000/.exec(o.key)!;
        assert.equal(got[i]!._time, `${stamp[1]}-${stamp[2]}-${stamp[3]} ${stamp[4]}:00:00`);
        const first = new Date(Math.min(...(o.records as VespaRec[]).map((x) => x.time)) * 1000);
        assert.equal(
          got[i]!.first,
          first
            .toISOString()
            .replace('T', ' ')
            .replace(/\.000Z$/, '')
            .replace('Z', ''),
        );
        assert.equal(got[i]!.t, 'TIMESTAMP');
      }
    });

    test('time pruning: only the window’s objects are fetched (GETs counted at a proxy)', async () => {
      const proxy = await startFaultProxy(p.upstream);
      try {
        const via = p.via(proxy.url);
        const r = await runCli(
          ['query', via.loc('vespa', `${VBASE}/`), '--since', '2026-01-05T12:00:00Z', '--csv', 'SELECT count(*) AS n FROM logs'],
          { env: via.env },
        );
        assert.equal(r.code, 0, r.stderr);
        const selected = vespa.filter((o) => o.records && /20260105120000/.test(o.key));
        assert.equal(r.stdout, `n\n${selected.reduce((s, o) => s + o.records!.length, 0)}\n`);
        assert.equal(proxy.gets, selected.length, 'objects outside the window (and the heap dump) were fetched');
      } finally {
        await proxy.close();
      }
    });

    test('--clip keeps only records whose own time is inside the window', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const since = '2026-01-05T11:30:00Z';
      const r = await runCli(['query', loc, '--since', since, '--clip', '--csv', 'SELECT count(*) AS n, min(time) AS first FROM logs'], {
        env: p.env,
      });
      assert.equal(r.code, 0, r.stderr);
      const s = Date.parse(since) / 1000;
      const all = vespa.flatMap((o) => (o.records as VespaRec[] | undefined) ?? []);
      const kept = all.filter((x) => x.time >= s);
      const first = new Date(Math.min(...kept.map((x) => x.time)) * 1000).toISOString();
      assert.equal(
        r.stdout,
        `n,first\n${kept.length},${first
          .replace('T', ' ')
          .replace(/\.000Z$/, '')
          .replace('Z', '')}\n`,
      );
    });

    test('Cloudflare: top 5xx paths; EdgeStartTimestamp typed from unixnano and RFC 3339 alike', async () => {
      const loc = p.loc('logpush', 'http/');
      const recs = cf.flatMap((o) => (o.records as CfRec[] | undefined) ?? []);
      const r = await runCli(
        [
          'query',
          loc,
          '--json',
          'SELECT ClientRequestPath AS path, count(*) AS n FROM logs WHERE EdgeResponseStatus >= 500 GROUP BY 1 ORDER BY n DESC, path LIMIT 5',
        ],
        { env: p.env },
      );
      assert.equal(r.code, 0, r.stderr);
      const counts = [
        ...groupBy(
          recs.filter((x) => x.EdgeResponseStatus >= 500),
          (x) => x.ClientRequestPath,
        ),
      ].map(([path, rows]) => ({ path, n: rows.length }));
      counts.sort((a, b) => b.n - a.n || (a.path < b.path ? -1 : 1));
      assert.deepEqual(json(r.stdout), counts.slice(0, 5));

      const t = await runCli(
        [
          'query',
          loc,
          '--json',
          'SELECT _key, min(EdgeStartTimestamp) AS lo, max(EdgeStartTimestamp) AS hi, typeof(min(EdgeStartTimestamp)) AS ty FROM logs GROUP BY 1 ORDER BY 1',
        ],
        { env: p.env },
      );
      assert.equal(t.code, 0, t.stderr);
      const iso = (v: number | string) =>
        new Date(typeof v === 'number' ? v / 1e6 : Date.parse(v))
          .toISOString()
          .replace('T', ' ')
          .replace(/\.000Z$/, '');
      assert.deepEqual(
        json(t.stdout),
        cf
          .filter((o) => o.records)
          .map((o) => {
            const ts = (o.records as CfRec[]).map((x) => x.EdgeStartTimestamp);
            return { _key: o.key, lo: iso(ts[0]!), hi: iso(ts[ts.length - 1]!), ty: 'TIMESTAMP' };
          }),
      );
    });

    test('Amplitude: events per type per hour, --dedupe reads the backfill instead of the original', async () => {
      const loc = p.loc('amp');
      const sql =
        "SELECT strftime(date_trunc('hour', event_time), '%H') AS hour, event_type, count(*) AS n, sum(CAST(event_properties->>'$.amount' AS INTEGER)) AS amount FROM logs GROUP BY ALL ORDER BY 1, 2";
      const r = await runCli(['query', loc, '--dedupe', '--json', sql], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, `archive: 1 duplicate object skipped (--dedupe): exports/123456_2026-01-05_11#0.json.gz\n`);
      const kept = [amp.original[0]!, amp.backfill[0]!].flatMap(
        (o) => o.records as Array<{ event_time: string; event_type: string; event_properties: { amount: number } }>,
      );
      const expected = [...groupBy(kept, (x) => `${x.event_time.slice(11, 13)}|${x.event_type}`)]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, rows]) => ({
          hour: k.split('|')[0],
          event_type: k.split('|')[1],
          n: rows.length,
          amount: rows.reduce((s, x) => s + x.event_properties.amount, 0),
        }));
      assert.deepEqual(json(r.stdout), expected);
      const all = await runCli(['query', loc, '--csv', 'SELECT count(*) AS n FROM logs'], { env: p.env });
      assert.equal(all.stdout, `n\n${300 + 250 + 270}\n`, 'without --dedupe every object is read');
    });

    test('a field whose type changes after 30k rows widens instead of failing', async () => {
      const r = await runCli(
        [
          'query',
          p.loc('types', 'x/'),
          '--json',
          "SELECT count(*) AS n, max(i) AS m, count(*) FILTER (WHERE tag = 'seven') AS sevens, any_value(CAST(v AS VARCHAR)) FILTER (WHERE i = 30005) AS late FROM logs",
        ],
        { env: p.env },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(json(r.stdout), [
        { n: 30_010, m: 30_009, sevens: typeRows.filter((x) => x.tag === 'seven').length, late: '"text-30005"' },
      ]);
      const s = await runCli(['query', p.loc('types', 'x/'), '--schema', '--ndjson'], { env: p.env });
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /^\{"column":"v","type":"JSON"\}$/m);
    });

    test('a field typed differently in different objects (beyond one detection batch) is read as JSON', async () => {
      const objs = Array.from({ length: 6 }, (_, f) => ({
        key: `m/2026-01-05_1${f}.ndjson`,
        body: Buffer.from(ndjson(Array.from({ length: 10 }, (_, i) => ({ f, x: f === 5 ? `s${i}` : i, y: f * 10 + i })))),
      }));
      await p.seed('mixed', objs);
      const r = await runCli(
        [
          'query',
          p.loc('mixed', 'm/'),
          '--json',
          'SELECT count(*) AS n, count(x) AS xs, sum(y) AS ys, max(typeof(x)) AS t, count(*) FILTER (WHERE CAST(x AS VARCHAR) = \'"s3"\') AS s3 FROM logs',
        ],
        { env: p.env },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(json(r.stdout), [
        {
          n: 60,
          xs: 60,
          ys: Array.from({ length: 60 }, (_, k) => Math.floor(k / 10) * 10 + (k % 10)).reduce((a, b) => a + b, 0),
          t: 'JSON',
          s3: 1,
        },
      ]);
    });

    test('outputs: table, --csv, --ndjson, --json, --schema, --out .parquet/.csv/.ndjson', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const sql = 'SELECT _host AS host, count(*) AS n, \'a,"b"\' AS odd FROM logs GROUP BY 1 ORDER BY 1';
      const perHost = (h: string) => vespa.filter((o) => o.records && o.key.includes(`/${h}/`)).reduce((s, o) => s + o.records!.length, 0);
      const [n1, n2] = [perHost('h1.example'), perHost('h2.example')];
      const table = await runCli(['query', loc, sql], { env: p.env });
      assert.equal(table.code, 0, table.stderr);
      const w = Math.max(1, String(n1).length, String(n2).length);
      assert.equal(
        table.stdout,
        `host        ${'n'.padEnd(w)}  odd\n──────────  ${'─'.repeat(w)}  ─────\nh1.example  ${String(n1).padStart(w)}  a,"b"\nh2.example  ${String(n2).padStart(w)}  a,"b"\n`,
      );
      const csv = await runCli(['query', loc, '--csv', sql], { env: p.env });
      assert.equal(csv.stdout, `host,n,odd\nh1.example,${n1},"a,""b"""\nh2.example,${n2},"a,""b"""\n`);
      const nd = await runCli(['query', loc, '--ndjson', sql], { env: p.env });
      assert.equal(nd.stdout, `{"host":"h1.example","n":${n1},"odd":"a,\\"b\\""}\n{"host":"h2.example","n":${n2},"odd":"a,\\"b\\""}\n`);
      const js = await runCli(['query', loc, '--json', sql], { env: p.env });
      assert.deepEqual(JSON.parse(js.stdout), [
        { host: 'h1.example', n: n1, odd: 'a,"b"' },
        { host: 'h2.example', n: n2, odd: 'a,"b"' },
      ]);
      const schema = await runCli(['query', loc, '--schema', '--json'], { env: p.env });
      assert.equal(schema.code, 0, schema.stderr);
      const cols = (JSON.parse(schema.stdout) as { vendor: string; columns: Array<{ name: string; type: string }> }).columns;
      assert.equal((JSON.parse(schema.stdout) as { vendor: string }).vendor, 'vespa-access');
      assert.deepEqual(Object.fromEntries(cols.map((c) => [c.name, c.type])), {
        ip: 'VARCHAR',
        time: 'TIMESTAMP',
        duration: 'DOUBLE',
        code: 'INTEGER',
        method: 'VARCHAR',
        uri: 'VARCHAR',
        responsesize: 'BIGINT',
        _key: 'VARCHAR',
        _time: 'TIMESTAMP',
        _host: 'VARCHAR',
        _kind: 'VARCHAR',
      });

      const dir = mkdtempSync(join(tmp, 'out-'));
      const all = vespa.flatMap((o) => (o.records as VespaRec[] | undefined) ?? []);
      for (const ext of ['parquet', 'csv', 'ndjson']) {
        const file = join(dir, `window.${ext}`);
        const r = await runCli(['query', loc, '--out', file, 'SELECT * FROM logs'], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '');
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        const reader = await c.runAndReadAll(
          `SELECT count(*)::INTEGER AS n, sum(responsesize)::BIGINT AS b, count(DISTINCT _key)::INTEGER AS k FROM '${file}'`,
        );
        assert.deepEqual(reader.getRowObjectsJS(), [{ n: all.length, b: BigInt(all.reduce((s, x) => s + x.responsesize, 0)), k: 6 }], ext);
        c.closeSync();
        db.closeSync();
      }
      assert.deepEqual(readdirSync(dir).sort(), ['window.csv', 'window.ndjson', 'window.parquet'], 'no temp file left beside --out');
    });

    test('bad SQL is a usage error (2) with DuckDB’s message and position; no --out file is written', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const out = join(tmp, 'never.csv');
      const r = await runCli(['query', loc, '--out', out, 'SELECT count(*) FROM logs WHERE code = = 5'], { env: p.env });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        // The Vespa tree holds a heap dump: a query reads records only, and says what it left out.
        'archive: left out 1 non-log object (heapdump 1); --kind includes them\n' +
          'archive: SQL: Parser Error: syntax error at or near "=" (at line 1, column 40: SELECT count(*) FROM logs WHERE code = = 5)\nhint: the table is `logs` (`logs_raw` untyped); `archive query LOCATION --schema` lists its columns\n',
      );
      assert.ok(!existsSync(out));
      const b = await runCli(['query', loc, 'SELECT nope FROM logs'], { env: p.env });
      assert.equal(b.code, 2);
      assert.match(
        b.stderr,
        /^archive: left out 1 non-log object \(heapdump 1\); --kind includes them\narchive: SQL: Binder Error: Referenced column "nope" not found in FROM clause! \(at line 1, column 8: SELECT nope FROM logs\)\nhint: Candidate bindings: .+; the table is `logs` \(`logs_raw` untyped\); `archive query LOCATION --schema` lists its columns\n$/,
      );
      const none = await runCli(['query', loc], { env: p.env });
      assert.equal(none.code, 2);
      assert.equal(
        none.stderr,
        'archive: no SQL given\nhint: archive query LOCATION "SELECT count(*) FROM logs" (or --sql-file F, or - for stdin); --schema shows the columns\n',
      );
    });

    test('SQL from --sql-file and from stdin', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const f = join(tmp, 'q.sql');
      writeFileSync(f, '-- how many\nCREATE TEMP TABLE t AS SELECT count(*) AS n FROM logs;\nSELECT n FROM t;\n');
      const total = vespa.reduce((s, o) => s + (o.records?.length ?? 0), 0);
      const a = await runCli(['query', loc, '--sql-file', f, '--csv'], { env: p.env });
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout, `n\n${total}\n`);
      const b = await runCli(['query', loc, '-', '--ndjson'], { env: p.env, input: 'SELECT count(*) AS n FROM logs' });
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.stdout, `{"n":${total}}\n`);
    });

    test('a corrupt object fails the query naming it (5); --skip-bad answers from the others, still 5', async () => {
      const loc = p.loc('corrupt', 'c/');
      const bad = 'c/JsonAccessLog.default.20260105110000.zst';
      const reason = await decodeFailure(corruptZst, 'zstd', bad);
      const r = await runCli(['query', loc, '--csv', 'SELECT count(*) AS n FROM logs'], { env: p.env });
      assert.equal(r.code, 5);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `archive: corrupt object ${bad}: ${reason}\nhint: nothing was answered; add --skip-bad to answer from the other objects (exit 5 all the same), or check it with \`archive pull\`\n`,
      );
      const s = await runCli(['query', loc, '--skip-bad', '--csv', 'SELECT count(*) AS n FROM logs'], { env: p.env });
      assert.equal(s.code, 5);
      assert.equal(s.stdout, 'n\n200\n');
      const lines = s.stderr.split('\n');
      assert.equal(lines[0]!, `archive: skipped corrupt object ${bad}: ${reason}`);
      assert.equal(
        lines.slice(1).join('\n'),
        'archive: answered from 1 of 2 objects; 1 skipped (see above)\nhint: re-run without --skip-bad once the skipped objects are fixed\n',
      );
    });

    test("a zstd frame with a 2 GiB window (beyond DuckDB's decoder limit) is decoded by archive instead", async () => {
      const recs = vespaRecords(77, T0, 3000);
      // Through stdin the frame has no content size, so it declares the full --long=31 window.
      const body = spawnSync(zstdBin!, ['-q', '-c', '--long=31'], { input: ndjson(recs) }).stdout;
      await p.seed('longwin', [{ key: 'l/JsonAccessLog.default.20260105100000.zst', body }]);
      const r = await runCli(['query', p.loc('longwin', 'l/'), '--csv', 'SELECT count(*) AS n, sum(responsesize) AS b FROM logs'], {
        env: p.env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, `n,b\n${recs.length},${recs.reduce((s, x) => s + x.responsesize, 0)}\n`);
    });

    test('no objects in the window: empty result, a note on stderr, exit 0', async () => {
      // After the logs' day and long before any seeding (a heap dump's time is its Last-Modified):
      // an open-ended window would hold the dump once the calendar reached its start.
      const EMPTY_WINDOW = ['--since', '2026-02-01T00:00:00Z', '--until', '2026-02-02T00:00:00Z'];
      const loc = p.loc('vespa', `${VBASE}/`);
      const r = await runCli(
        ['query', loc, ...EMPTY_WINDOW, '--json', "SELECT split_part(uri, '?', 1) AS path, count(*) AS n FROM logs GROUP BY 1"],
        { env: p.env },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '[]\n');
      assert.equal(r.stderr, 'archive: no objects match the location and filters: the result is empty\n');
      const c = await runCli(['query', loc, ...EMPTY_WINDOW, '--csv', 'SELECT count(*) AS n FROM logs'], { env: p.env });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, 'n\n0\n');
    });

    test('--emit duckdb: the printed statement, run by DuckDB on local copies, gives the same answer', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const sql =
        "SELECT _host, split_part(uri, '?', 1) AS path, count(*) AS n, sum(responsesize) AS bytes FROM logs GROUP BY ALL ORDER BY ALL";
      const e = await runCli(['query', loc, ...window, '--emit', 'duckdb', sql], { env: p.env });
      assert.equal(e.code, 0, e.stderr);
      const local = mkdtempSync(join(tmp, 'copies-'));
      const scheme = name === 'azure' ? 'az://vespa/' : 's3://vespa/';
      let script = e.stdout;
      for (const o of vespa) {
        const file = join(local, o.key);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, o.body);
        script = script.split(`'${scheme}${o.key}'`).join(`'${file}'`);
      }
      assert.doesNotMatch(script, /'(az|s3):\/\//, 'every object URL was one of the seeded objects');
      // Local copies need no secret and no extension: drop those lines, run the rest as printed.
      script = script
        .split('\n')
        .filter((l) => !/^(INSTALL|CREATE OR REPLACE SECRET)/.test(l))
        .join('\n');
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const emitted = (await c.runAndReadAll(script)).getRowObjectsJson();
      c.closeSync();
      db.closeSync();
      const q = await runCli(['query', loc, ...window, '--json', sql.replace('sum(responsesize)', 'CAST(sum(responsesize) AS VARCHAR)')], {
        env: p.env,
      });
      assert.equal(q.code, 0, q.stderr);
      assert.deepEqual(
        emitted,
        json<Record<string, unknown>>(q.stdout).map((r) => ({ ...r, n: String(r.n) })),
      );
      assert.equal(emitted.length > 0, true);
    });

    test('--emit clickhouse/trino/spark name exactly the pruned objects', async () => {
      const loc = p.loc('vespa', `${VBASE}/`);
      const keys = await listedKeys(p, loc, window);
      for (const engine of ['clickhouse', 'trino', 'spark']) {
        const r = await runCli(['query', loc, ...window, '--emit', engine], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        const named = vespa.filter((o) => r.stdout.includes(o.key)).map((o) => o.key);
        assert.deepEqual(named.sort(), [...keys].sort(), engine);
      }
    });

    test('Ctrl-C while fetching and while DuckDB runs: exit 130, no temp file left', async () => {
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 4096 });
      const own = mkdtempSync(join(tmp, 'tmpdir-'));
      try {
        const via = p.via(proxy.url);
        const run = (args: string[], env: Record<string, string>) => {
          const child = spawn(process.execPath, [BIN, ...args], {
            env: cleanEnv({ ...env, TMPDIR: own }),
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const done = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
          return { child, done, stderr: () => stderr };
        };
        // 1. mid-download: a part file exists.
        const a = run(['query', via.loc('vespa', `${VBASE}/`), 'SELECT count(*) FROM logs'], via.env);
        await until(() => leftovers(own).some((f) => f.endsWith('.part')), 'a part file');
        a.child.kill('SIGINT');
        assert.equal(await a.done, 130, a.stderr());
        assert.equal(a.stderr(), 'archive: left out 1 non-log object (heapdump 1); --kind includes them\narchive: interrupted\n');
        assert.deepEqual(leftovers(own), []);
        // 2. all objects fetched, a long statement running in DuckDB.
        const b = run(['query', p.loc('vespa', `${VBASE}/`), 'SELECT count(*) FROM logs, range(2000000000) t(x) WHERE x % 7 = 3'], p.env);
        await until(() => {
          const files = leftovers(own);
          return files.filter((f) => /objects\/\d+\.ndjson/.test(f)).length === 6 && !files.some((f) => f.endsWith('.part'));
        }, 'every object fetched');
        b.child.kill('SIGINT');
        assert.equal(await b.done, 130, b.stderr());
        assert.equal(b.stderr(), 'archive: left out 1 non-log object (heapdump 1); --kind includes them\narchive: interrupted\n');
        assert.deepEqual(leftovers(own), []);
        // 3. the same, later: DuckDB is inside the statement (no outside event marks that
        // moment, so this one waits; any moment after the fetch is a valid interleaving).
        const c = run(['query', p.loc('vespa', `${VBASE}/`), 'SELECT count(*) FROM logs, range(2000000000) t(x) WHERE x % 7 = 3'], p.env);
        await until(() => leftovers(own).filter((f) => /objects\/\d+\.ndjson/.test(f)).length === 6, 'every object fetched');
        await new Promise((r) => setTimeout(r, 500));
        c.child.kill('SIGINT');
        assert.equal(await c.done, 130, c.stderr());
        assert.equal(c.stderr(), 'archive: left out 1 non-log object (heapdump 1); --kind includes them\narchive: interrupted\n');
        assert.deepEqual(leftovers(own), []);
        // 4. two Ctrl-C: the second exits at once; the exit hook still removes the temp space.
        const d = run(['query', p.loc('vespa', `${VBASE}/`), 'SELECT count(*) FROM logs, range(2000000000) t(x) WHERE x % 7 = 3'], p.env);
        await until(() => leftovers(own).filter((f) => /objects\/\d+\.ndjson/.test(f)).length === 6, 'every object fetched');
        d.child.kill('SIGINT');
        d.child.kill('SIGINT');
        assert.equal(await d.done, 130, d.stderr());
        assert.deepEqual(leftovers(own), []);
        // 5. two Ctrl-C while the statement runs: exit must not wait for DuckDB to finish it.
        const e = run(['query', p.loc('vespa', `${VBASE}/`), 'SELECT count(*) FROM logs, range(2000000000) t(x) WHERE x % 7 = 3'], p.env);
        await until(() => leftovers(own).filter((f) => /objects\/\d+\.ndjson/.test(f)).length === 6, 'every object fetched');
        await new Promise((r) => setTimeout(r, 500));
        e.child.kill('SIGINT');
        e.child.kill('SIGINT');
        const killer = setTimeout(() => e.child.kill('SIGKILL'), 20_000);
        assert.equal(await e.done, 130, e.stderr());
        clearTimeout(killer);
        assert.deepEqual(leftovers(own), []);
      } finally {
        await proxy.close();
      }
    });

    if (name === 'azure') {
      test('SAS locations: no secret in --emit or list --urls unless --with-sas', async () => {
        const {
          generateAccountSASQueryParameters,
          AccountSASPermissions,
          AccountSASResourceTypes,
          AccountSASServices,
          StorageSharedKeyCredential,
        } = await import('@azure/storage-blob');
        const emu = p.emu as AzuriteEmulator;
        const sas = generateAccountSASQueryParameters(
          {
            permissions: AccountSASPermissions.parse('rl'),
            resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
            services: AccountSASServices.parse('b').toString(),
            expiresOn: new Date(Date.now() + 3600_000),
          },
          new StorageSharedKeyCredential(
            'devstoreaccount1',
            'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
          ),
        ).toString();
        const sig = new URLSearchParams(sas).get('sig')!;
        const loc = `${emu.serviceUrl}/vespa/${VBASE}/?${sas}`;
        const sasEnv = {};
        for (const engine of ['duckdb', 'clickhouse', 'spark', 'trino']) {
          const r = await runCli(['query', loc, ...window, '--emit', engine], { env: sasEnv });
          assert.equal(r.code, 0, r.stderr);
          for (const form of [sig, encodeURIComponent(sig)]) assert.ok(!r.stdout.includes(form), `${engine} printed the SAS signature`);
        }
        const withSas = await runCli(['query', loc, ...window, '--emit', 'duckdb', '--with-sas'], { env: sasEnv });
        assert.equal(withSas.code, 0, withSas.stderr);
        assert.ok(withSas.stdout.includes(encodeURIComponent(sig)) || withSas.stdout.includes(sig));
        // The SAS URLs really read the objects: the emitted read_json runs in DuckDB? httpfs is not
        // available offline, so fetch one URL here instead.
        const url = /'(http:\/\/[^']+\?[^']+)'/.exec(withSas.stdout)![1]!;
        const res = await fetch(url);
        assert.equal(res.status, 200);
        const urls = await runCli(['list', loc, ...window, '--urls'], { env: sasEnv });
        assert.equal(urls.code, 0, urls.stderr);
        const keys = await listedKeys(p, p.loc('vespa', `${VBASE}/`), window);
        assert.equal(urls.stdout, keys.map((k) => `${emu.serviceUrl}/vespa/${k}\n`).join(''));
      });
    } else {
      test('list --urls prints s3:// URLs of the selected objects', async () => {
        const keys = await listedKeys(p, p.loc('vespa', `${VBASE}/`), window);
        const r = await runCli(['list', p.loc('vespa', `${VBASE}/`), ...window, '--urls'], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, keys.map((k) => `s3://vespa/${k}\n`).join(''));
      });
    }
  });
}

describe('query without the DuckDB package', () => {
  test('a clear error for query only, exit 1 with a hint; other commands unaffected', async () => {
    // NODE_PATH cannot hide an installed package, so run a copy of dist/ whose node_modules lacks it.
    const dir = mkdtempSync(join(tmpdir(), 'archive-noduck-'));
    try {
      spawnSync('cp', ['-r', join(ROOT, 'dist'), join(ROOT, 'bin'), join(ROOT, 'package.json'), dir]);
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'archive.js'), 'query', 's3://some-bucket/x', 'SELECT 1'], {
        env: cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }),
        encoding: 'utf8',
      });
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /^archive: the query engine \(DuckDB, @duckdb\/node-api\) could not be loaded: .*Cannot find package '@duckdb\/node-api'.*\nhint: reinstall archive with its dependencies/,
      );
      const h = spawnSync(process.execPath, [join(dir, 'bin', 'archive.js'), '--help'], { encoding: 'utf8' });
      assert.equal(h.status, 0, h.stderr);
      assert.match(h.stdout, /^ {2}query\b/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------
// Pure parts, table-tested.

describe('query: pure parts', () => {
  test('classifySqlError sorts DuckDB messages', async () => {
    const { classifySqlError } = await import('../src/query/sql-errors.js');
    const cases: Array<[string, string]> = [
      ['Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^', 'usage'],
      ['Binder Error: Referenced column "nope" not found in FROM clause!', 'usage'],
      ['Catalog Error: Table with name nothere does not exist!', 'usage'],
      ["Conversion Error: Could not convert string 'x' to INT32", 'usage'],
      [
        'Invalid Input Error: JSON transform error in file "/t/000001.ndjson", in line 30001: Failed to cast value to numerical: "str"',
        'schema',
      ],
      ['Invalid Input Error: Malformed JSON in file "/t/000002.ndjson.gz", at byte 320 in line 3589: unexpected end of data.', 'data'],
      ["IO Error: Restored data doesn't match checksum", 'data'],
      ['IO Error: Frame requires too much memory for decoding', 'data'],
      ['INTERRUPT Error: Interrupted!', 'interrupted'],
      ['Out of Memory Error: failed to allocate data of size 1.0 GiB (2.0 GiB/2.0 GiB used)', 'memory'],
      ['something else entirely', 'other'],
    ];
    for (const [msg, kind] of cases) assert.equal(classifySqlError(msg), kind, msg);
  });

  test('sqlPosition / oneLineSqlMessage read DuckDB caret blocks', async () => {
    const { sqlPosition, oneLineSqlMessage, fileNamedIn } = await import('../src/query/sql-errors.js');
    assert.deepEqual(sqlPosition('Parser Error: x\n\nLINE 1: SELEC 1\n        ^'), { line: 1, column: 1, excerpt: 'SELEC 1' });
    assert.deepEqual(sqlPosition('Binder Error: y\n\nLINE 2: select nope from logs\n               ^'), {
      line: 2,
      column: 8,
      excerpt: 'select nope from logs',
    });
    assert.deepEqual(sqlPosition('Parser Error: z\n\nLINE 1: ...very long line here\n                    ^'), {
      line: 1,
      column: undefined,
      excerpt: '...very long line here',
    });
    assert.equal(sqlPosition('Parser Error: syntax error at end of input'), undefined);
    assert.equal(oneLineSqlMessage('Parser Error: syntax error at end of input'), 'Parser Error: syntax error at end of input');
    assert.equal(fileNamedIn('Invalid Input Error: Malformed JSON in file "/tmp/a b/000001.ndjson", at byte 3'), '/tmp/a b/000001.ndjson');
  });

  test('widenType / mergeColumns', async () => {
    const { widenType, mergeColumns } = await import('../src/query/schema.js');
    for (const [a, b, want] of [
      ['BIGINT', 'BIGINT', 'BIGINT'],
      ['INTEGER', 'BIGINT', 'BIGINT'],
      ['BIGINT', 'DOUBLE', 'DOUBLE'],
      ['BIGINT', 'VARCHAR', 'JSON'],
      ['STRUCT(a BIGINT)', 'STRUCT(b VARCHAR)', 'JSON'],
      ['NULL', 'VARCHAR', 'VARCHAR'],
    ])
      assert.equal(widenType(a!, b!), want, `${a} + ${b}`);
    assert.deepEqual(
      mergeColumns([
        [
          { name: 'a', type: 'BIGINT' },
          { name: 'b', type: 'VARCHAR' },
        ],
        [
          { name: 'c', type: 'DOUBLE' },
          { name: 'a', type: 'DOUBLE' },
        ],
      ]),
      [
        { name: 'a', type: 'DOUBLE' },
        { name: 'b', type: 'VARCHAR' },
        { name: 'c', type: 'DOUBLE' },
      ],
    );
  });

  test('sniffCodec, tempNameFor, fileFormatFor', async () => {
    const { sniffCodec, tempNameFor } = await import('../src/query/fetch-objects.js');
    const { fileFormatFor } = await import('../src/query/output.js');
    assert.equal(sniffCodec(gzipSync('x')), 'gzip');
    assert.equal(sniffCodec(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
    assert.equal(sniffCodec(Buffer.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0])), 'zstd');
    assert.equal(sniffCodec(Buffer.from('{"a":1}\n')), 'none');
    assert.equal(sniffCodec(Buffer.alloc(0)), 'none');
    assert.equal(tempNameFor(7, 'zstd'), '000007.ndjson.zst');
    assert.equal(tempNameFor(12, 'none'), '000012.ndjson');
    for (const [f, want] of [
      ['a.parquet', 'parquet'],
      ['A.CSV', 'csv'],
      ['x.ndjson', 'ndjson'],
      ['x.jsonl', 'ndjson'],
      ['x.json', 'json'],
    ] as const)
      assert.equal(fileFormatFor(f), want);
    assert.throws(
      () => fileFormatFor('x.xlsx'),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && e.message === '--out x.xlsx: unknown file type ".xlsx"',
    );
  });

  test('typedView builds casts from the detected columns only', async () => {
    const { typedView } = await import('../src/query/vendor-views.js');
    assert.equal(typedView('vespa-access', [{ name: 'foo', type: 'VARCHAR' }]), undefined);
    const v = typedView('vespa-access', [
      { name: 'time', type: 'DOUBLE' },
      { name: 'code', type: 'BIGINT' },
      { name: 'uri', type: 'VARCHAR' },
    ])!;
    assert.equal(v.recordTime, '"time"');
    assert.equal(
      v.select,
      'SELECT * REPLACE (make_timestamp(CAST(round(CAST("time" AS DOUBLE) * 1000000) AS BIGINT)) AS "time", TRY_CAST("code" AS INTEGER) AS "code") FROM logs_raw',
    );
    const a = typedView('amplitude-events', [
      { name: 'event_time', type: 'VARCHAR' },
      { name: 'event_properties', type: 'STRUCT(plan VARCHAR)' },
      { name: 'user_properties', type: 'JSON' },
    ])!;
    assert.match(a.select, /CAST\(TRY_CAST\(CAST\("event_time" AS VARCHAR\) AS TIMESTAMPTZ\) AS TIMESTAMP\) AS "event_time"/);
    assert.match(a.select, /CAST\(to_json\("event_properties"\) AS JSON\) AS "event_properties"/);
    assert.doesNotMatch(a.select, /"user_properties"/, 'already JSON: left as is');
  });

  test('the Cloudflare timestamp expression reads every Logpush format (run in DuckDB)', async () => {
    const { typedView } = await import('../src/query/vendor-views.js');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    const want = '2026-01-05 17:00:01.5';
    for (const [type, value] of [
      ['BIGINT', '1767632401500000000'],
      ['DOUBLE', '1767632401.5'],
      ['BIGINT', '1767632401500'],
      ['VARCHAR', "'2026-01-05T17:00:01.5Z'"],
      ['VARCHAR', "'2026-01-05T17:00:01.500000000Z'"],
      ['VARCHAR', "'1767632401500000000'"],
      ['JSON', `'"2026-01-05T17:00:01.500Z"'`],
    ] as const) {
      await c.run(`CREATE OR REPLACE TABLE logs_raw AS SELECT CAST(${value} AS ${type}) AS EdgeStartTimestamp`);
      const v = typedView('cloudflare-http', [{ name: 'EdgeStartTimestamp', type }])!;
      const got = (await c.runAndReadAll(`SELECT CAST(EdgeStartTimestamp AS VARCHAR) AS t FROM (${v.select})`)).getRowObjectsJson()[0]!.t;
      assert.equal(got, want, `${type} ${value}`);
    }
    c.closeSync();
    db.closeSync();
  });

  test('objectUrl / httpsUrl / emit never carry a secret unless asked', async () => {
    const { objectUrl, httpsUrl } = await import('../src/query/object-urls.js');
    const { emitStatement } = await import('../src/query/emit.js');
    const az = {
      provider: 'azure' as const,
      account: 'acct',
      serviceUrl: 'https://acct.blob.core.windows.net',
      container: 'logs',
      prefix: '',
      auth: { type: 'sas' as const, token: 'sv=2024&sp=rl&sig=SECRETSIG%3D' },
    };
    assert.equal(objectUrl(az, 'a b/c#1.json.gz'), 'https://acct.blob.core.windows.net/logs/a%20b/c%231.json.gz');
    assert.equal(httpsUrl(az, 'k', { withSas: true }), 'https://acct.blob.core.windows.net/logs/k?sv=2024&sp=rl&sig=SECRETSIG%3D');
    const s3 = {
      provider: 's3' as const,
      bucket: 'bkt',
      prefix: '',
      region: 'eu-west-1',
      auth: { type: 'keys' as const, accessKeyId: 'AKIA', secretAccessKey: 'TOPSECRET' },
    };
    assert.equal(objectUrl(s3, 'x/y.gz'), 's3://bkt/x/y.gz');
    assert.equal(httpsUrl(s3, 'x/y.gz'), 'https://bkt.s3.eu-west-1.amazonaws.com/x/y.gz');
    assert.equal(httpsUrl({ ...s3, endpoint: 'http://127.0.0.1:9000/' }, 'x/y.gz'), 'http://127.0.0.1:9000/bkt/x/y.gz');
    const entry = {
      key: 'x/y.gz',
      size: 10,
      lastModified: new Date(0),
      time: new Date(Date.UTC(2026, 0, 5)),
      timeSource: 'key' as const,
      facts: { layout: 'generic' },
    };
    for (const engine of ['duckdb', 'clickhouse', 'trino', 'spark'] as const) {
      for (const t of [az, s3]) {
        const text = emitStatement(engine, t, [entry], { sql: 'SELECT 1', withSas: false });
        assert.doesNotMatch(text, /SECRETSIG|TOPSECRET|AKIA/, `${engine} ${t.provider}`);
        assert.match(text, /x\/y\.gz/);
      }
      assert.doesNotMatch(emitStatement(engine, s3, [entry], { withSas: true }), /TOPSECRET/, 'S3 keys are never printed');
    }
    assert.match(
      emitStatement('duckdb', az, [entry], { withSas: true }),
      /'https:\/\/acct\.blob\.core\.windows\.net\/logs\/x\/y\.gz\?sv=2024&sp=rl&sig=SECRETSIG%3D'/,
    );
  });
});
