/**
 * `archive freshness` (issue #25) on both emulators: a stream written every 30 minutes is fresh
 * (exit 0); one that stopped hours ago exits 6 with its lag; a missing hour is a gap (6, or 0 with
 * --allow-gaps); streams per vendor (Vespa host and type, Cloudflare dataset, Amplitude project,
 * Logz.io account; the whole location for dated archives, counted in days); the current hour and
 * hours still inside --max-lag are never gaps; -o json and -o prometheus exact, hostile folder names
 * escaped in the table and kept in machine output; no object in the window 6, nothing under the
 * location 4; usage errors 2 before any request; the cost is the window's listing at any age.
 *
 * Clock: every run is given one fixed now (in process; ARCHIVE_NOW for the spawned CLI), 00:40 on
 * the 1st of March, so the 24-hour window crosses midnight and February's end; keys are stamped
 * relative to it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { runInProcess } from './support/io.js';
import { runCli } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 2, 1, 0, 40); // 2026-03-01T00:40:00Z
const CLOCK = { now: new Date(NOW) };

const p2 = (n: number) => String(n).padStart(2, '0');
const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, 'Z');
const ymd = (t: number) => iso(t).slice(0, 10).replace(/-/g, '');
const stamp = (t: number) => `${iso(t).replace(/[-:]/g, '').slice(0, 15)}Z`;
const compact = (t: number) => stamp(t).replace('T', '').slice(0, 14);
const body = gzipSync('{"n":1}\n');

/** A 5-minute Logpush batch starting at `t`, in its daily folder. */
const batch = (dataset: string, t: number) => `${dataset}/${ymd(t)}/${stamp(t)}_${stamp(t + 5 * MIN)}_${(t / MIN).toString(16)}.log.gz`;
const hoursFrom = (first: number, last: number) => Array.from({ length: (last - first) / HOUR + 1 }, (_, i) => first + i * HOUR);

function archive(): string[] {
  const keys: string[] = [];
  // Cloudflare: one dataset every 30 minutes up to 10 minutes ago, one that stopped 5 hours ago.
  for (let k = 0; k < 52; k++) keys.push(batch('cf/http_requests', NOW - 10 * MIN - k * 30 * MIN));
  for (let k = 0; k < 42; k++) keys.push(batch('cf/dns_logs', NOW - 5 * HOUR - k * 30 * MIN));
  // Vespa: hourly access logs (named a second past the hour, as Vespa does) from 22:00 two days
  // back to 23:00 yesterday; h1 misses 20:00 yesterday.
  const hours = hoursFrom(Date.UTC(2026, 1, 27, 22), Date.UTC(2026, 1, 28, 23));
  for (const h of ['h1.example', 'h2.example'])
    for (const t of hours) {
      if (h === 'h1.example' && t === Date.UTC(2026, 1, 28, 20)) continue;
      keys.push(`vespa/acme/shop/default/${h}/logs/access/JsonAccessLog.default.${compact(t + 1000)}.zst`);
    }
  // Amplitude and Logz.io: every hour, exported once the hour is over.
  for (const t of hours) {
    const d = new Date(t);
    keys.push(`amp/187520_${iso(t).slice(0, 10)}_${d.getUTCHours()}#0.json.gz`);
    keys.push(
      `logzio/123456/${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}/archive.json.gz`,
    );
  }
  return keys;
}

/** The last seven days of a daily dated export, without the 25th. */
function daily(): string[] {
  return [21, 22, 23, 24, 26, 27, 28].map((d) => `daily/2026/02/${p2(d)}/export.json.gz`);
}

interface Json {
  location: string;
  now: string;
  window: { since: string; seconds: number };
  maxLagSeconds: number | null;
  ok: boolean;
  streams: Array<{
    stream: string;
    layout: string;
    cadence: string;
    objects: number;
    newest: string;
    newestKey: string;
    lagSeconds: number;
    gaps: Array<{ start: string; end: string; units: number }>;
    missing: number;
    late: boolean;
    verdict: string;
  }>;
  requests: number | null;
  scanned: number;
}

for (const name of PROVIDERS) {
  describe(`freshness on ${name}`, () => {
    let p: ProviderFixture;
    // A quote, a control character and a line break (S3: and a backslash; Azure reads `\` as `/`).
    const HOSTILE = name === 'azure' ? 'odd/we"ird\tpath\nx' : 'odd/we"ird\\path\tx\ny';
    before(async () => {
      p = await startProvider(name);
      await p.seed(
        'fresh',
        [...archive(), ...daily()].map((key) => ({ key, body })),
      );
      await p.seed('hostile', [{ key: batch(HOSTILE, NOW - 20 * MIN), body }]);
      await p.seed('old', [{ key: batch('cf/http_requests', NOW - 3 * DAY), body }]);
      // 400 days of one batch a day, then the last day every 30 minutes: the window's listing must
      // cost what it costs for an archive of that last day alone.
      const ancient = Array.from({ length: 400 }, (_, d) => batch('cf/http_requests', NOW - 2 * DAY - d * DAY));
      const recent = Array.from({ length: 48 }, (_, k) => batch('cf/http_requests', NOW - 10 * MIN - k * 30 * MIN));
      await p.seed(
        'aged',
        [...ancient, ...recent].map((key) => ({ key, body })),
      );
      await p.seed(
        'young',
        recent.map((key) => ({ key, body })),
      );
    });
    after(async () => p?.stop());

    const json = async (loc: string, ...flags: string[]) => {
      const r = await runInProcess(['freshness', loc, '-o', 'json', ...flags], { env: p.env, ...CLOCK });
      return { r, doc: JSON.parse(r.stdout) as Json };
    };

    test('a stream written every 30 minutes is fresh: exit 0', async () => {
      const r = await runInProcess(['freshness', p.loc('fresh', 'cf/http_requests/'), '--max-lag', '1h'], { env: p.env, ...CLOCK });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          'STREAM            NEWEST (UTC)           LAG  GAPS  VERDICT',
          'cf/http_requests  2026-03-01 00:35:00  5m 0s  0     ok',
          'verdict: ok: 1 stream fresh',
          '',
        ].join('\n'),
      );
      assert.equal(r.stderr, '');
    });

    test('a stream that stopped 5 hours ago: exit 6 with its lag; its silent hours beyond --max-lag are gaps', async () => {
      const { r, doc } = await json(p.loc('fresh', 'cf/dns_logs/'), '--max-lag', '2h');
      assert.equal(r.code, 6, r.stderr);
      assert.equal(doc.ok, false);
      assert.deepEqual(doc.streams, [
        {
          stream: 'cf/dns_logs',
          layout: 'cloudflare',
          cadence: 'hour',
          objects: 39, // 19:40 back to 00:40 yesterday: the batches in the window
          bytes: 39 * body.length,
          newest: '2026-02-28T19:45:00Z',
          newestKey: batch('cf/dns_logs', NOW - 5 * HOUR),
          lagSeconds: 4 * 3600 + 55 * 60,
          // 20:00 and 21:00 ended more than 2 h (--max-lag) ago; 22:00 and 23:00 are still inside it.
          gaps: [{ start: '2026-02-28T20:00:00Z', end: '2026-02-28T22:00:00Z', units: 2 }],
          missing: 2,
          late: true,
          verdict: 'late, gaps',
        },
      ]);
      assert.equal(
        r.stderr,
        "archive: freshness check failed: 1 late, 1 with gaps of 1 stream\nhint: the output shows each stream's lag and gaps; `archive sas inspect` on the exporter's SAS tells whether it expired; --allow-gaps alarms on lag only\n",
      );
      // Lag alone still fails; a generous --max-lag judges only hours long over, where nothing is missing.
      assert.equal((await json(p.loc('fresh', 'cf/dns_logs/'), '--max-lag', '2h', '--allow-gaps')).r.code, 6);
      const lenient = await json(p.loc('fresh', 'cf/dns_logs/'), '--max-lag', '6h');
      assert.equal(lenient.r.code, 0, lenient.r.stderr);
      assert.deepEqual(lenient.doc.streams[0].gaps, []);
    });

    test('a missing hour is a gap: exit 6, or 0 with --allow-gaps', async () => {
      const loc = p.loc('fresh', 'vespa/');
      const { r, doc } = await json(loc, '--max-lag', '2h');
      assert.equal(r.code, 6, r.stderr);
      assert.deepEqual(
        doc.streams.map((s) => [s.stream, s.cadence, s.lagSeconds, s.gaps, s.verdict]),
        [
          // The 19:00:01 file runs a second into 20:00; that second does not make the hour delivered.
          ['h1.example/access', 'hour', 40 * 60 - 1, [{ start: '2026-02-28T20:00:00Z', end: '2026-02-28T21:00:00Z', units: 1 }], 'gaps'],
          ['h2.example/access', 'hour', 40 * 60 - 1, [], 'ok'],
        ],
      );
      const allowed = await runInProcess(['freshness', loc, '--max-lag', '2h', '--allow-gaps'], { env: p.env, ...CLOCK });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stdout, /^h1\.example\/access +2026-03-01 00:00:01 +39m 59s +1h: 2026-02-28 20:00–21:00 +ok$/m);
      assert.match(allowed.stdout, /^verdict: ok: 2 streams fresh; 1 with gaps \(allowed\)$/m);
    });

    test('one stream per vendor over the whole location, in JSON', async () => {
      const { r, doc } = await json(p.loc('fresh'), '--max-lag', '2h', '--exclude', 'daily/**');
      assert.equal(r.code, 6, r.stderr);
      assert.equal(doc.now, '2026-03-01T00:40:00Z');
      assert.deepEqual(doc.window, { since: '2026-02-28T00:40:00Z', seconds: 86400 });
      assert.equal(doc.maxLagSeconds, 7200);
      assert.equal(doc.location, `${name === 'azure' ? 'az://devstoreaccount1/fresh' : 's3://fresh'}/`);
      assert.deepEqual(
        doc.streams.map((s) => [s.stream, s.layout, s.lagSeconds, s.missing, s.verdict]),
        [
          ['123456', 'logzio', 40 * 60, 0, 'ok'],
          ['187520', 'amplitude', 40 * 60, 0, 'ok'],
          ['cf/dns_logs', 'cloudflare', 4 * 3600 + 55 * 60, 2, 'late, gaps'],
          ['cf/http_requests', 'cloudflare', 5 * 60, 0, 'ok'],
          ['h1.example/access', 'vespa', 40 * 60 - 1, 1, 'gaps'],
          ['h2.example/access', 'vespa', 40 * 60 - 1, 0, 'ok'],
        ],
      );
      // --by location: everything as one stream, whose newest is the newest of all.
      const whole = await json(p.loc('fresh'), '--max-lag', '2h', '--by', 'location', '--exclude', 'daily/**');
      assert.deepEqual(
        whole.doc.streams.map((s) => [s.stream, s.lagSeconds, s.missing]),
        [['*', 5 * 60, 0]],
      );
    });

    test('a daily dated export is judged in days; the current day is never a gap', async () => {
      const { r, doc } = await json(p.loc('fresh', 'daily/'), '--window', '7d');
      assert.equal(r.code, 6, r.stderr);
      assert.deepEqual(
        doc.streams.map((s) => [s.stream, s.layout, s.cadence, s.newest, s.gaps]),
        [['*', 'dated', 'day', '2026-03-01T00:00:00Z', [{ start: '2026-02-25T00:00:00Z', end: '2026-02-26T00:00:00Z', units: 1 }]]],
      );
      const table = await runInProcess(['freshness', p.loc('fresh', 'daily/'), '--window', '7d'], { env: p.env, ...CLOCK });
      assert.match(table.stdout, /^\* +2026-03-01 00:00:00 +40m 0s +1d: 2026-02-25 +gaps$/m);
    });

    test('-o prometheus: the textfile format, label values escaped as the format says; the table escapes for the terminal', async () => {
      const loc = p.loc('hostile');
      const r = await runInProcess(['freshness', loc, '--max-lag', '1h', '-o', 'prometheus'], { env: p.env, ...CLOCK });
      assert.equal(r.code, 0, r.stderr);
      const where = `location="${name === 'azure' ? 'az://devstoreaccount1/hostile' : 's3://hostile'}/"`;
      // Prometheus escapes `\`, `"` and the line feed in label values, nothing else (the tab stays).
      const label = name === 'azure' ? 'odd/we\\"ird\tpath\\nx' : 'odd/we\\"ird\\\\path\tx\\ny';
      const s = `${where},stream="${label}"`;
      assert.equal(
        r.stdout,
        [
          '# HELP archive_export_lag_seconds Seconds from the end of the newest data of the stream to the check.',
          '# TYPE archive_export_lag_seconds gauge',
          `archive_export_lag_seconds{${s}} 900`,
          '# HELP archive_export_newest_timestamp_seconds End of the newest data of the stream, Unix seconds.',
          '# TYPE archive_export_newest_timestamp_seconds gauge',
          `archive_export_newest_timestamp_seconds{${s}} ${(NOW - 15 * MIN) / 1000}`,
          '# HELP archive_export_gaps Complete hours (days for daily streams) in the window without any object.',
          '# TYPE archive_export_gaps gauge',
          `archive_export_gaps{${s}} 0`,
          '# HELP archive_export_objects Objects of the stream in the window.',
          '# TYPE archive_export_objects gauge',
          `archive_export_objects{${s}} 1`,
          '# HELP archive_export_ok 1 when the stream is within --max-lag and without gaps (gaps ignored with --allow-gaps).',
          '# TYPE archive_export_ok gauge',
          `archive_export_ok{${s}} 1`,
          '# HELP archive_freshness_window_seconds The window the check looked at.',
          '# TYPE archive_freshness_window_seconds gauge',
          `archive_freshness_window_seconds{${where}} 86400`,
          '# HELP archive_freshness_streams Streams with an object in the window.',
          '# TYPE archive_freshness_streams gauge',
          `archive_freshness_streams{${where}} 1`,
          '# HELP archive_freshness_ok 1 when every stream passed (0 also when no object is in the window).',
          '# TYPE archive_freshness_ok gauge',
          `archive_freshness_ok{${where}} 1`,
          '# HELP archive_freshness_timestamp_seconds When the check ran (its now), Unix seconds.',
          '# TYPE archive_freshness_timestamp_seconds gauge',
          `archive_freshness_timestamp_seconds{${where}} ${NOW / 1000}`,
          '',
        ].join('\n'),
      );
      const { doc } = await json(loc, '--max-lag', '1h');
      assert.equal(doc.streams[0].stream, HOSTILE);
      const table = await runInProcess(['freshness', loc, '--max-lag', '1h', '--allow-gaps'], { env: p.env, ...CLOCK });
      const shown = name === 'azure' ? 'odd/we"ird\\tpath\\nx' : 'odd/we"ird\\\\path\\tx\\ny';
      assert.equal(table.stdout.split('\n')[1].slice(0, shown.length + 2), `${shown}  `);
      assert.doesNotMatch(table.stdout, /\t/);
    });

    test('no object in the window: exit 6; nothing under the location: exit 4', async () => {
      const r = await runInProcess(['freshness', p.loc('old'), '--max-lag', '2h'], { env: p.env, ...CLOCK });
      assert.equal(r.code, 6, r.stderr);
      assert.equal(r.stdout, 'verdict: FAILED: no object in the last 1d\n');
      assert.match(
        r.stderr,
        /^archive: freshness check failed: no object in the last 1d\nhint: no export wrote into this location in the window; widen --window/,
      );
      const prom = await runInProcess(['freshness', p.loc('old'), '-o', 'prometheus'], { env: p.env, ...CLOCK });
      assert.equal(prom.code, 6);
      assert.match(prom.stdout, /^archive_freshness_streams\{location="[^"]+"\} 0$/m);
      assert.match(prom.stdout, /^archive_freshness_ok\{location="[^"]+"\} 0$/m);
      const none = await runInProcess(['freshness', p.loc('old', 'typo/')], { env: p.env, ...CLOCK });
      assert.equal(none.code, 4, none.stderr);
    });

    test('cost: the window listing of a 400-day archive takes as many requests as of its last day alone', async () => {
      const aged = await json(p.loc('aged', 'cf/http_requests/'), '--max-lag', '1h');
      const young = await json(p.loc('young', 'cf/http_requests/'), '--max-lag', '1h');
      assert.equal(aged.r.code, 0, aged.r.stderr);
      assert.deepEqual(aged.doc.streams, young.doc.streams);
      assert.ok(young.doc.requests !== null && young.doc.requests > 0);
      assert.equal(aged.doc.requests, young.doc.requests);
      assert.equal(aged.doc.scanned, young.doc.scanned);
    });

    test('usage errors before any request: exit 2', async () => {
      const dead = name === 'azure' ? 'http://127.0.0.1:9/devstoreaccount1/none/' : 's3://none/';
      const env = name === 'azure' ? p.env : { ...p.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' };
      for (const [flags, message] of [
        [['--since', '2h'], /--since is not a freshness option/],
        [['--window', '10m'], /--window: cannot read "10m" as a duration from 60m to 400d/],
        [['--max-lag', 'soon'], /--max-lag: cannot read "soon"/],
        [['-o', 'csv'], /argument 'csv' is invalid/],
        [['-o', 'prometheus', '--json'], /conflicting output formats/],
        [['--by', 'tenant'], /argument 'tenant' is invalid/],
        [['--kind', 'nosuch'], /unknown kind "nosuch"/],
      ] as const) {
        const r = await runInProcess(['freshness', dead, ...flags], { env, ...CLOCK });
        assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
    });

    test('the spawned CLI exits 6 (ARCHIVE_NOW), documented in --help', async () => {
      const r = await runCli(['freshness', p.loc('fresh', 'cf/dns_logs/'), '--max-lag', '2h'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stdout, /^cf\/dns_logs +2026-02-28 19:45:00 +4h 55m +2h: 2026-02-28 20:00–22:00 +late, gaps$/m);
      const help = await runCli(['freshness', '--help']);
      assert.match(help.stdout, /Exit 6 when a stream is late or has a gap/);
    });
  });
}
