/**
 * Real record formats stay readable. Fixtures written from the vendors' published examples (never
 * downloaded), read by `archive query` and `archive cat` from the emulators:
 *   - Cloudflare Logpush http_requests: the timestamp formats a job can be set to (RFC 3339 with
 *     and without milliseconds, unix seconds, unixms, unixnano), as JSON numbers or as strings,
 *     mixed in one file; and fields that only newer records carry (JA4, JA4Signals,
 *     BotDetectionIDs, per developers.cloudflare.com logs/reference/log-fields/zone/http_requests);
 *   - Amplitude's export: `event_time` as `2020-02-15 01:00:00.123456` (space, microseconds), the
 *     schema of its Azure Blob export guide;
 *   - Vespa's JSON access log: `search`, `attributes`, `trace`, `remoteaddr`, as in Vespa's
 *     JSONLogTestCase (also read through the guides' keys in vespa-shapes.test.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startProvider, type ProviderFixture } from './support/providers.js';
import { runInProcess } from './support/io.js';

const lines = (rows: unknown[]) => gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));

// 2026-11-30T23:55:01Z and the seconds after it.
const T = Date.parse('2026-11-30T23:55:01Z') / 1000;
const cf = (i: number, start: unknown, extra: Record<string, unknown> = {}) => ({
  ClientIP: '192.0.2.1',
  ClientRequestHost: 'example.com',
  ClientRequestMethod: 'GET',
  ClientRequestURI: `/page/${i}`,
  EdgeEndTimestamp: start,
  EdgeResponseBytes: 1000 + i,
  EdgeResponseStatus: i === 3 ? 503 : 200,
  EdgeStartTimestamp: start,
  RayID: `8d2f0e5b7c1a${i}f00`,
  ...extra,
});
// One file, every format a Logpush job's timestamp_format can give, numbers and strings mixed.
const CLOUDFLARE = [
  cf(0, '2026-11-30T23:55:01Z'), // rfc3339
  cf(1, '2026-11-30T23:55:02.250Z'), // rfc3339ms
  cf(2, T + 3), // unix
  cf(3, (T + 4) * 1000 + 500), // unixms
  cf(4, (T + 5) * 1e9 + 125_000_000, {
    JA4: 't13d1516h2_8daaf6152771_b186095e22b6',
    JA4Signals: { h2h3_ratio_1h: 0.9871, heuristic_ratio_1h: 0.0001, reqs_quantile_1h: 0.99, uas_rank_h: 901 },
    BotDetectionIDs: [33554817, 50331651],
  }), // unixnano (a 19-digit integer)
  cf(5, String(T + 6), { JA4: 't13d1715h2_5b57614c22b0_3d5424432f57', BotDetectionIDs: [] }), // unix, as a string
  cf(6, String((T + 7) * 1e9)), // unixnano, as a string
];
const WANT_CF = [
  '2026-11-30 23:55:01',
  '2026-11-30 23:55:02.25',
  '2026-11-30 23:55:04',
  '2026-11-30 23:55:05.5',
  '2026-11-30 23:55:06.125',
  '2026-11-30 23:55:07',
  '2026-11-30 23:55:08',
];

// Amplitude's export schema (its Azure Blob export guide), with event_time as Amplitude writes it.
const amp = (i: number, eventTime: string, props: Record<string, unknown>) => ({
  server_received_time: '2026-11-30 23:10:00.000000',
  app: 187520,
  $schema: 12,
  user_id: `user-${i}`,
  uuid: `9a0b6c8e-1f2d-4c3b-8a7e-00000000000${i}`,
  event_time: eventTime,
  client_event_time: eventTime,
  amplitude_id: 5678901234 + i,
  event_type: i % 2 ? 'checkout' : 'page_view',
  event_properties: props,
  user_properties: { plan: i % 2 ? 'pro' : 'free' },
  group_properties: {},
  data: { path: '/', user_properties_updated: i === 0 },
  session_id: 1796083200000,
  sample_rate: null,
  paying: i % 2 === 1,
  location_lat: 59.91,
  location_lng: 10.75,
});
const AMPLITUDE = [
  amp(0, '2026-11-30 23:00:00.123456', { plan: 'free', items: 0 }),
  amp(1, '2026-11-30 23:15:30.000001', { plan: 'pro', items: 3, coupon: 'XMAS' }),
  amp(2, '2026-11-30 23:59:59.999999', { plan: 'free' }),
];

describe('vendor record formats through query and cat (Azurite)', () => {
  let p: ProviderFixture;
  before(async () => {
    p = await startProvider('azure');
    await p.seed('logs', [
      { key: 'cf/http_requests/20261130/20261130T235500Z_20261130T235600Z_d0c8f7a1.log.gz', body: lines(CLOUDFLARE) },
      { key: 'amp/187520/187520_2026-11-30_23#0.json.gz', body: lines(AMPLITUDE) },
    ]);
  });
  after(async () => p?.stop());

  test('Cloudflare: every timestamp format in one file types to the same TIMESTAMP; JA4 fields where present, NULL elsewhere', async () => {
    const r = await runInProcess(
      [
        'query',
        p.loc('logs', 'cf/http_requests/'),
        '--json',
        'SELECT CAST(EdgeStartTimestamp AS VARCHAR) AS t, typeof(EdgeStartTimestamp) AS ty, JA4, JA4Signals.h2h3_ratio_1h AS h2h3, BotDetectionIDs AS ids, EdgeResponseStatus AS status FROM logs ORDER BY ClientRequestURI',
      ],
      { env: p.env },
    );
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Array<{
      t: string;
      ty: string;
      JA4: string | null;
      h2h3: number | null;
      ids: unknown;
      status: number;
    }>;
    assert.deepEqual(
      got.map((g) => g.t),
      WANT_CF,
    );
    assert.ok(got.every((g) => g.ty === 'TIMESTAMP'));
    assert.deepEqual(
      got.map((g) => g.JA4),
      [null, null, null, null, 't13d1516h2_8daaf6152771_b186095e22b6', 't13d1715h2_5b57614c22b0_3d5424432f57', null],
    );
    assert.equal(got[4]!.h2h3, 0.9871);
    assert.deepEqual(got[4]!.ids, [33554817, 50331651]);
    assert.equal(got[3]!.status, 503);
    // --clip keeps the records whose own time is inside the window, whatever format it was written in.
    const clip = await runInProcess(
      [
        'query',
        p.loc('logs', 'cf/http_requests/'),
        '--since',
        '2026-11-30T23:55:02Z',
        '--until',
        '2026-11-30T23:55:06Z',
        '--clip',
        '--csv',
        'SELECT count(*) AS n FROM logs',
      ],
      { env: p.env },
    );
    assert.equal(clip.code, 0, clip.stderr);
    assert.equal(clip.stdout, 'n\n3\n'); // 23:55:02.25, :04, :05.5
  });

  test('Cloudflare: cat writes the records byte for byte (numbers, strings and nested fields as exported)', async () => {
    const r = await runInProcess(['cat', p.loc('logs', 'cf/')], { env: p.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, CLOUDFLARE.map((x) => `${JSON.stringify(x)}\n`).join(''));
  });

  test('Amplitude: event_time with a space and microseconds types to TIMESTAMP to the microsecond; properties are JSON', async () => {
    const r = await runInProcess(
      [
        'query',
        p.loc('logs', 'amp/'),
        '--csv',
        "SELECT CAST(event_time AS VARCHAR) AS t, typeof(event_time) AS ty, event_type, event_properties->>'$.plan' AS plan, event_properties->>'$.coupon' AS coupon FROM logs ORDER BY event_time",
      ],
      { env: p.env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        't,ty,event_type,plan,coupon',
        '2026-11-30 23:00:00.123456,TIMESTAMP,page_view,free,',
        '2026-11-30 23:15:30.000001,TIMESTAMP,checkout,pro,XMAS',
        '2026-11-30 23:59:59.999999,TIMESTAMP,page_view,free,',
        '',
      ].join('\n'),
    );
  });
});
