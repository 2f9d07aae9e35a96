import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUTS, detect, getLayout, layoutNames, parseKey } from '../src/layouts/index.js';
import { vespa, vespaFolder } from '../src/layouts/vespa.js';
import { cloudflare } from '../src/layouts/cloudflare.js';
import { amplitude } from '../src/layouts/amplitude.js';
import { logzio } from '../src/layouts/logzio.js';
import { dated } from '../src/layouts/dated.js';
import { generic } from '../src/layouts/generic.js';
import { kindFromName, utcDate } from '../src/layouts/time-parts.js';
import { ExitCode, UsageError } from '../src/errors.js';
import type { KeyFacts } from '../src/layouts/types.js';

const iso = (d: Date | undefined) => d?.toISOString();

/** Times as ISO strings so failures print readably. */
function plain(f: KeyFacts | undefined) {
  if (!f) return f;
  return { ...f, time: iso(f.time), timeEnd: iso(f.timeEnd) };
}

// ---------------------------------------------------------------------------------------- vespa

test('vespa: the JSON access log key from the Vespa archive guide', () => {
  const f = vespa.parse('vespa-team/vespacloud-docsearch/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst');
  assert.deepEqual(plain(f), {
    layout: 'vespa',
    kind: 'access',
    host: 'h2946a',
    fields: { tenant: 'vespa-team', application: 'vespacloud-docsearch', instance: 'default', container: 'default' },
    time: '2021-06-29T10:00:01.000Z',
    // access logs are rotated hourly by default; the stamp is when the file was opened
    timeEnd: '2021-06-29T11:00:01.000Z',
  });
});

test('vespa: connection, vespa, zookeeper and start-services logs', () => {
  const p = 'mytenant/myapp/myinstance/h404a/logs/';
  const conn = vespa.parse(`${p}connection/ConnectionLog.search.20210212103000.zst`);
  assert.equal(conn?.kind, 'connection');
  assert.equal(conn?.fields?.container, 'search');
  assert.equal(iso(conn?.time), '2021-02-12T10:30:00.000Z');
  assert.equal(iso(conn?.timeEnd), '2021-02-12T11:30:00.000Z');

  const vlog = vespa.parse(`${p}vespa/vespa.log-2021-06-29.10-00-01.zst`);
  assert.equal(vlog?.kind, 'vespa');
  assert.equal(vlog?.host, 'h404a');
  assert.equal(iso(vlog?.time), '2021-06-29T10:00:01.000Z');
  assert.equal(vlog?.timeEnd, undefined, 'vespa.log names carry the close/sync time, the span is unknown');

  const dayOnly = vespa.parse(`${p}vespa/vespa.log-2021-02-12.zst`);
  assert.equal(iso(dayOnly?.time), '2021-02-12T00:00:00.000Z');

  const live = vespa.parse(`${p}vespa/vespa.log.zst`);
  assert.equal(live?.kind, 'vespa');
  assert.equal(live?.time, undefined, 'the live vespa.log has no stamp: callers use last-modified');

  const zk = vespa.parse(`${p}zookeeper/zookeeper.log-2021-06-29.10-00-01.zst`);
  assert.equal(zk?.kind, 'zookeeper');
  assert.equal(iso(zk?.time), '2021-06-29T10:00:01.000Z');

  assert.equal(vespa.parse(`${p}start-services/start-services.out-20210629.zst`)?.kind, 'start-services');
});

test('vespa: older access log names with a date-only stamp cover the day', () => {
  const f = vespa.parse('vespa/music/main/h432a/logs/access/access.log.20210211.zst');
  assert.equal(f?.kind, 'access');
  assert.equal(iso(f?.time), '2021-02-11T00:00:00.000Z');
  assert.equal(iso(f?.timeEnd), '2021-02-12T00:00:00.000Z');
  assert.equal(vespa.parse('vespa/music/main/h432a/logs/access/access-json.log.20210213.zst')?.kind, 'access');
  assert.equal(
    iso(vespa.parse('vespa/music/main/h432a/logs/access/JsonAccessLog.default.20210214.zst')?.timeEnd),
    '2021-02-15T00:00:00.000Z',
  );
});

test('vespa: service dumps give heapdump, jfr and dump kinds and the request time', () => {
  const dir = 't1/a1/default/h1a/service-dump/default-container-0-1625000000000/';
  const heap = vespa.parse(`${dir}jvm-heap-dump.bin.zst`);
  assert.equal(heap?.kind, 'heapdump');
  assert.equal(heap?.host, 'h1a');
  assert.equal(heap?.fields?.dump, 'default-container-0');
  assert.equal(heap?.fields?.tenant, 't1');
  assert.equal(iso(heap?.time), new Date(1625000000000).toISOString());
  assert.equal(vespa.parse(`${dir}recording.jfr.zst`)?.kind, 'jfr');
  assert.equal(vespa.parse(`${dir}jvm-jstack.txt`)?.kind, 'dump');
});

test('vespa: .hprof and .jfr files in a dump folder under the host', () => {
  assert.equal(vespa.parse('t/a/i/h7b/heapdumps/java_pid123.hprof.zst')?.kind, 'heapdump');
  assert.equal(vespa.parse('t/a/i/h7b/heapdumps/java_pid123.hprof')?.host, 'h7b');
  assert.equal(vespa.parse('t/a/i/h7b/jfr/profile.jfr')?.kind, 'jfr');
  // an ordinary file in a folder that merely mentions "dump" is no evidence of Vespa
  assert.equal(vespa.parse('t/a/i/h7b/dumps/readme.txt'), undefined);
});

test('vespa: extra leading segments are a prefix; a copied host folder still parses', () => {
  const f = vespa.parse('archive/2021/vespa-team/app/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst');
  assert.deepEqual(f?.fields, { tenant: 'vespa-team', application: 'app', instance: 'default', container: 'default' });
  assert.equal(f?.host, 'h2946a');

  // as the Vespa archive guide copies one host's folder to my_access_logs/vespa-files/
  const copied = vespa.parse('vespa-files/h404a/logs/access/JsonAccessLog.default.20230117100001.zst');
  assert.equal(copied?.host, 'h404a');
  assert.deepEqual(copied?.fields, { container: 'default' });
});

test('vespa: keys that only look similar are not claimed', () => {
  assert.equal(vespa.parse('svc/logs/access/nginx-access.log.gz'), undefined);
  assert.equal(vespa.parse('svc/logs/app/JsonAccessLog.default.20210629100001.zst'), undefined);
  assert.equal(vespa.parse('logs/access/JsonAccessLog.default.20210629100001.zst'), undefined, 'no host segment');
  assert.equal(vespa.parse('t/a/i/h/logs/access/JsonAccessLog.default.20211329100001.zst')?.time, undefined, 'month 13');
});

// ----------------------------------------------------------------------------------- cloudflare

test('cloudflare: daily subfolders on', () => {
  const f = cloudflare.parse('http_requests/20260105/20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz');
  assert.deepEqual(plain(f), {
    layout: 'cloudflare',
    kind: 'logs',
    time: '2026-01-05T17:00:00.000Z',
    timeEnd: '2026-01-05T17:00:30.000Z',
    fields: { hash: 'fb4b2e2b' },
  });
  // {DATE} may sit anywhere in the destination path
  assert.equal(
    iso(cloudflare.parse('logs/dt=20260105/20260105T235930Z_20260106T000010Z_0a1b2c3d.log.gz')?.timeEnd),
    '2026-01-06T00:00:10.000Z',
  );
});

test('cloudflare: daily subfolders off, with and without a subpath', () => {
  assert.equal(iso(cloudflare.parse('20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz')?.time), '2026-01-05T17:00:00.000Z');
  const f = cloudflare.parse('cf/zone-a/20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz');
  assert.equal(f?.layout, 'cloudflare');
  assert.equal(iso(f?.timeEnd), '2026-01-05T17:00:30.000Z');
});

test('cloudflare: ownership challenge files', () => {
  assert.deepEqual(cloudflare.parse('logs/ownership-challenge-bb2912e0.txt'), { layout: 'cloudflare', kind: 'challenge' });
  assert.deepEqual(cloudflare.parse('ownership-challenge.txt'), { layout: 'cloudflare', kind: 'challenge' });
  assert.equal(cloudflare.parse('logs/ownership-challenge-bb2912e0.txt.bak'), undefined);
});

test('cloudflare: impossible or reversed stamps are rejected', () => {
  assert.equal(cloudflare.parse('20261305T170000Z_20261305T170030Z_fb4b2e2b.log.gz'), undefined);
  assert.equal(cloudflare.parse('20260105T250000Z_20260105T250030Z_fb4b2e2b.log.gz'), undefined);
  assert.equal(cloudflare.parse('20260105T170030Z_20260105T170000Z_fb4b2e2b.log.gz'), undefined);
  assert.equal(cloudflare.parse('20260105T170000Z_fb4b2e2b.log.gz'), undefined);
});

// ------------------------------------------------------------------------------------ amplitude

test('amplitude: the example from the Amplitude docs (two-digit hour)', () => {
  const f = amplitude.parse('amplitude-data/events/187520/187520_2020-01-25_17#1.json.gz');
  assert.deepEqual(plain(f), {
    layout: 'amplitude',
    kind: 'events',
    time: '2020-01-25T17:00:00.000Z',
    timeEnd: '2020-01-25T18:00:00.000Z',
    partition: 'amplitude:187520:2020-01-25T17:1',
    fields: { projectId: '187520', partition: '1' },
  });
});

test('amplitude: single-digit hour without padding', () => {
  const f = amplitude.parse('123456_2026-01-05_7#0.json.gz');
  assert.equal(iso(f?.time), '2026-01-05T07:00:00.000Z');
  assert.equal(iso(f?.timeEnd), '2026-01-05T08:00:00.000Z');
  assert.equal(f?.partition, 'amplitude:123456:2026-01-05T07:0');
  assert.equal(iso(amplitude.parse('123456_2026-01-05_0#2.json.gz')?.time), '2026-01-05T00:00:00.000Z');
  assert.equal(iso(amplitude.parse('123456_2026-01-05_23#2.json.gz')?.time), '2026-01-05T23:00:00.000Z');
});

test('amplitude: partition identity survives another folder and hour padding, not another partition', () => {
  const a = amplitude.parse('exports/123456/123456_2026-01-05_17#3.json.gz');
  const backfill = amplitude.parse('backfill-2026-02/123456/123456_2026-01-05_17#3.json.gz');
  const padded = amplitude.parse('123456_2026-01-05_07#3.json.gz');
  const unpadded = amplitude.parse('123456_2026-01-05_7#3.json.gz');
  assert.equal(a?.partition, backfill?.partition);
  assert.equal(padded?.partition, unpadded?.partition);
  assert.notEqual(a?.partition, amplitude.parse('exports/123456/123456_2026-01-05_17#4.json.gz')?.partition);
  assert.notEqual(a?.partition, amplitude.parse('exports/654321/654321_2026-01-05_17#3.json.gz')?.partition);
  assert.notEqual(a?.partition, amplitude.parse('exports/123456/123456_2026-01-05_18#3.json.gz')?.partition);
});

test('amplitude: merged IDs (org scope with a leading dash, and legacy app scope)', () => {
  const f = amplitude.parse('amplitude-data/merged/-189524/-189524_2020-01-25_17.json.gz');
  assert.equal(f?.kind, 'merged-ids');
  assert.equal(iso(f?.time), '2020-01-25T17:00:00.000Z');
  assert.equal(iso(f?.timeEnd), '2020-01-25T18:00:00.000Z');
  assert.deepEqual(f?.fields, { orgId: '189524' });
  assert.equal(f?.partition, 'amplitude:merged:-189524:2020-01-25T17');
  assert.equal(amplitude.parse('-189524_2026-01-05_7.json.gz')?.partition, 'amplitude:merged:-189524:2026-01-05T07');

  const legacy = amplitude.parse('187520/187520_2020-01-25_5.json.gz');
  assert.equal(legacy?.kind, 'merged-ids');
  assert.deepEqual(legacy?.fields, { projectId: '187520' });
});

test('amplitude: impossible hours and dates are rejected', () => {
  assert.equal(amplitude.parse('123456_2026-01-05_24#0.json.gz'), undefined);
  assert.equal(amplitude.parse('123456_2026-02-30_1#0.json.gz'), undefined);
  assert.equal(amplitude.parse('-189524_2026-13-01_1.json.gz'), undefined);
  assert.equal(amplitude.parse('123456_2026-01-05_7#0.csv.gz'), undefined);
});

// --------------------------------------------------------------------------------------- logzio

test('logzio: account folder then date/hour folders', () => {
  const f = logzio.parse('logzio-archive/123456/2026/01/05/17/1767632400-0.json.gz');
  assert.deepEqual(plain(f), {
    layout: 'logzio',
    kind: 'logs',
    time: '2026-01-05T17:00:00.000Z',
    timeEnd: '2026-01-05T18:00:00.000Z',
    fields: { accountId: '123456' },
  });
  assert.equal(iso(logzio.parse('123456/year=2026/month=01/day=05/hour=03/part.json.gz')?.time), '2026-01-05T03:00:00.000Z');
});

test('logzio: the logzio-verified marker', () => {
  assert.deepEqual(logzio.parse('logzio-verified'), { layout: 'logzio', kind: 'marker' });
  assert.deepEqual(logzio.parse('archive/logzio-verified'), { layout: 'logzio', kind: 'marker' });
  assert.equal(logzio.parse('archive/not-logzio-verified'), undefined);
});

test('logzio: no account folder, or an impossible hour, is not Logz.io', () => {
  assert.equal(logzio.parse('2026/01/05/17/x.json.gz'), undefined);
  assert.equal(logzio.parse('123456/2026/01/05/24/x.json.gz'), undefined);
  assert.equal(logzio.parse('123456/2026/01/05/x.json.gz'), undefined);
});

// ---------------------------------------------------------------------------------------- dated

function span(key: string): [string | undefined, string | undefined] | undefined {
  const f = dated.parse(key);
  return f && [iso(f.time), iso(f.timeEnd)];
}

test('dated: Hive partitions', () => {
  assert.deepEqual(span('mezmo/year=2026/month=01/day=05/hour=17/x.json.gz'), ['2026-01-05T17:00:00.000Z', '2026-01-05T18:00:00.000Z']);
  assert.deepEqual(span('year=2026/month=01/day=05/x.json.gz'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
  assert.deepEqual(span('otel/year=2026/month=1/day=5/hour=7/minute=30/x.json'), ['2026-01-05T07:30:00.000Z', undefined]);
  assert.deepEqual(span('events/dt=2026-01-05/part-0000.parquet'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
  assert.deepEqual(span('team_id=7/dt=2026-01-05/hr=17/a.parquet'), ['2026-01-05T17:00:00.000Z', '2026-01-05T18:00:00.000Z']);
  assert.deepEqual(span('date=2026-01-05/a.log'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
  assert.deepEqual(span('v2/http/dt=20260105/a.log.gz'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
});

test('dated: date folders', () => {
  assert.deepEqual(span('testbucket/2021/05/14/21/prod/host-1/1sXpYZPs83808oGZPJExJXlLXrb.log.gz'), [
    '2021-05-14T21:00:00.000Z',
    '2021-05-14T22:00:00.000Z',
  ]);
  assert.deepEqual(span('AWSLogs/123456789012/CloudTrail/eu-west-1/2026/01/05/trail.json.gz'), [
    '2026-01-05T00:00:00.000Z',
    '2026-01-06T00:00:00.000Z',
  ]);
});

test('dated: compact stamps', () => {
  assert.deepEqual(span('exports/app_20260105T170000Z.json.gz'), ['2026-01-05T17:00:00.000Z', undefined]);
  assert.deepEqual(span('exports/app-20260105170000.log'), ['2026-01-05T17:00:00.000Z', undefined]);
  // Wazuh: <CLOUD_ID>_<CATEGORY>_<YYYYMMDDTHHmm>_<UniqueString>.json.gz
  assert.deepEqual(span('cold/abc/output/alerts/2026/01/05/abc_output_alerts_20260105T1712_x1y2z3w4.json.gz'), [
    '2026-01-05T17:12:00.000Z',
    undefined,
  ]);
  assert.deepEqual(span('daily/20260105/a.log'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
});

test('dated: separated and ISO-ish stamps', () => {
  assert.deepEqual(span('app/2026-01-05_17.log.gz'), ['2026-01-05T17:00:00.000Z', '2026-01-05T18:00:00.000Z']);
  // Mezmo: year=/month=/day=/<accountID>.<YYYY>-<MM>-<DD>.<HH>00.json.gz
  assert.deepEqual(span('year=2026/month=01/day=05/a1b2c3.2026-01-05.1700.json.gz'), [
    '2026-01-05T17:00:00.000Z',
    '2026-01-05T18:00:00.000Z',
  ]);
  assert.deepEqual(span('year=2026/month=01/day=05/a1b2c3.2026-01-05.1700.1.json.gz'), [
    '2026-01-05T17:00:00.000Z',
    '2026-01-05T18:00:00.000Z',
  ]);
  // CloudFront: <distribution ID>.YYYY-MM-DD-HH.unique-ID.gz
  assert.deepEqual(span('cf/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz'), ['2019-11-14T20:00:00.000Z', '2019-11-14T21:00:00.000Z']);
  assert.deepEqual(span('x/2026-01-05T17:00:00Z.json'), ['2026-01-05T17:00:00.000Z', undefined]);
  assert.deepEqual(span('x/2026-01-05T17:00:00.123Z.json'), ['2026-01-05T17:00:00.000Z', undefined]);
  assert.deepEqual(span('x/backup-2026-01-05.tar.gz'), ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
});

test('dated: a start and an end stamp in the name give a range', () => {
  assert.deepEqual(span('x/20260105T170000Z_20260105T171500Z.log.gz'), ['2026-01-05T17:00:00.000Z', '2026-01-05T17:15:00.000Z']);
  assert.deepEqual(span('archive/mlog-20210901100858-20210901100905-95b1f27097524105.zip'), [
    '2021-09-01T10:08:58.000Z',
    '2021-09-01T10:09:05.000Z',
  ]);
  assert.deepEqual(span('data/2023-10-01T00-00-00-000000000Z_2023-10-01T23-59-59-999999999Z.parquet'), [
    '2023-10-01T00:00:00.000Z',
    '2023-10-01T23:59:59.000Z',
  ]);
  // a date folder plus one stamp in the name is not a range: the finer stamp wins
  assert.deepEqual(span('2026/01/05/app-20260105T170000Z.log'), ['2026-01-05T17:00:00.000Z', undefined]);
});

test('dated: impossible dates and random digit runs are not times', () => {
  for (const key of [
    'x/20261305T170000Z.log', // month 13
    'x/20260132.log', // day 32
    'x/2026-02-30.log', // 30 February
    'x/2026-01-05T25:00:00Z.log', // hour 25 spoils the whole stamp, date included
    'x/18991231.log', // year < 1990
    'x/21010101.log', // year > 2100
    'year=2026/month=13/day=01/x.log',
    '2026/13/01/x.log',
    'x/deadbeef20260105cafe.log', // inside a hash
    'x/abc-12345678901234.log',
    'x/1767632400000-segment.gz', // epoch milliseconds are not a calendar stamp
    'x/550e8400-e29b-41d4-a716-446655440000.json',
  ]) {
    assert.equal(dated.parse(key), undefined, key);
  }
  assert.equal(utcDate(2024, 2, 29)?.toISOString(), '2024-02-29T00:00:00.000Z');
  assert.equal(utcDate(2026, 2, 29), undefined);
  assert.equal(utcDate(1989, 12, 31), undefined);
});

test('dated and generic: kind from the extension', () => {
  assert.equal(dated.parse('dumps/2026/01/05/java_pid1.hprof')?.kind, 'heapdump');
  assert.equal(dated.parse('dumps/2026/01/05/java_pid1.hprof.zst')?.kind, 'heapdump');
  assert.equal(dated.parse('rec/2026-01-05/profile.jfr.gz')?.kind, 'jfr');
  assert.equal(dated.parse('x/2026-01-05.log.gz')?.kind, 'logs');
  assert.deepEqual(generic.parse('anything/at/all.jfr'), { layout: 'generic', kind: 'jfr' });
  assert.deepEqual(generic.parse('no-extension'), { layout: 'generic', kind: 'logs' });
  assert.equal(kindFromName('heap.HPROF'), 'heapdump');
});

// ------------------------------------------------------------------------------------- registry

test('registry: order, names and lookup', () => {
  assert.deepEqual(
    LAYOUTS.map((l) => l.name),
    ['vespa', 'cloudflare', 'amplitude', 'logzio', 'dated', 'generic'],
  );
  assert.deepEqual(layoutNames(), ['auto', 'vespa', 'cloudflare', 'amplitude', 'logzio', 'dated', 'generic']);
  for (const l of LAYOUTS) assert.equal(getLayout(l.name), l);
  assert.equal(getLayout('Vespa'), vespa);
  assert.equal(getLayout('auto').parse('123456_2026-01-05_7#0.json.gz')?.layout, 'amplitude');
});

test('registry: an unknown layout is a usage error (exit 2) naming the valid ones', () => {
  assert.throws(
    () => getLayout('foo'),
    (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, ExitCode.USAGE);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /unknown layout "foo"/);
      assert.match(e.hint ?? '', /auto/);
      for (const l of LAYOUTS) assert.match(e.hint ?? '', new RegExp(`\\b${l.name}\\b`));
      return true;
    },
  );
  assert.throws(() => parseKey('x', 'nope'), UsageError);
});

test('auto-detection: each vendor key goes to its own layout, not to dated', () => {
  const cases: Array<[string, string]> = [
    ['vespa-team/app/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst', 'vespa'],
    ['vespa-team/app/default/h2946a/logs/vespa/vespa.log-2021-06-29.10-00-01.zst', 'vespa'],
    ['t/a/i/h1/service-dump/container-1625000000000/jvm-heap-dump.bin.zst', 'vespa'],
    ['logs/20260105/20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz', 'cloudflare'],
    ['20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz', 'cloudflare'],
    ['logs/ownership-challenge-bb2912e0.txt', 'cloudflare'],
    ['exports/2026/01/05/123456_2026-01-05_7#0.json.gz', 'amplitude'],
    ['-189524/-189524_2026-01-05_17.json.gz', 'amplitude'],
    ['archive/123456/2026/01/05/17/logs.json.gz', 'logzio'],
    ['logzio-verified', 'logzio'],
    ['archive/2026/01/05/17/logs.json.gz', 'dated'],
    ['svc/logs/access/2026-01-05.log.gz', 'dated'],
    ['svc/logs/access/nginx.log.gz', 'generic'],
    ['t/a/i/h/heapdumps/readme.txt', 'generic'],
  ];
  for (const [key, layout] of cases) assert.equal(detect(key).layout, layout, key);
});

test('parseKey: auto by default; a named layout that does not match still yields generic facts', () => {
  const key = 'vespa-team/app/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst';
  assert.equal(parseKey(key).layout, 'vespa');
  assert.equal(parseKey(key, 'auto').layout, 'vespa');
  // forcing dated reads the stamp as a point in time, without Vespa's fields
  const forced = parseKey(key, 'dated');
  assert.equal(forced.layout, 'dated');
  assert.equal(iso(forced.time), '2021-06-29T10:00:01.000Z');
  assert.equal(forced.host, undefined);
  assert.deepEqual(parseKey('random/file.hprof', 'cloudflare'), { layout: 'generic', kind: 'heapdump' });
});

// ------------------------------------------------------------- the Vespa log-folder rule (pruning)

test('vespa rule: a key nested below HOST/logs/TYPE/ is not a Vespa key; direct files and copies elsewhere are', () => {
  const J = 'JsonAccessLog.default.20210629100001.zst';
  // A whole host tree inside another host's access folder: not Vespa, so it carries no host.
  assert.equal(vespa.parse(`t/a/i/h1/logs/access/old/h2/logs/access/${J}`), undefined);
  assert.equal(vespa.parse(`t/a/i/h1/logs/access/logs/access/${J}`), undefined);
  assert.equal(vespa.parse('t/a/i/h1/logs/connection/jfr/recording.jfr'), undefined); // was host "connection"
  assert.equal(vespa.parse(`t/a/i/h1/logs/access//${J}`), undefined); // an empty folder name is a folder too
  const auto = parseKey(`t/a/i/h1/logs/access/old/h2/logs/access/${J}`);
  assert.equal(auto.layout, 'dated');
  assert.equal(auto.host, undefined);
  // Not nested: the direct file, a tree under any other folder, a folder merely named like a type.
  assert.equal(vespa.parse(`t/a/i/h1/logs/access/${J}`)?.host, 'h1');
  assert.equal(vespa.parse(`backup/20260105/t/a/i/h3/logs/access/${J}`)?.host, 'h3');
  assert.equal(vespa.parse(`t/a/i/h1/logs/weird/x/h2/logs/access/${J}`)?.host, 'h2');
  assert.equal(vespa.parse(`t/a/i/h1/logs/access-old/h2/logs/access/${J}`)?.host, 'h2');
  assert.equal(vespa.parse(`logs/access/h2/logs/access/${J}`)?.host, 'h2'); // no host segment above the first
});

test('vespaFolder: what the rule says about the keys below a folder', () => {
  const cases: Array<[string, ReturnType<typeof vespaFolder>]> = [
    ['t/a/i/h1/logs/access/', { nested: false, host: 'h1', type: 'access' }],
    ['h1/logs/start-services/', { nested: false, host: 'h1', type: 'start-services' }],
    ['t/a/i/h1/logs/access/old/', { nested: true }],
    ['t/a/i/h1/logs/access/old/h2/logs/access/', { nested: true }],
    ['t/a/i/h1/logs/', undefined],
    ['t/a/i/h1/', undefined],
    ['logs/access/', undefined], // no host segment: its files are not Vespa keys anyway
    ['t/a/i/h1/logs/weird/', undefined],
    ['t/a/i/h1/logs/access-old/', undefined],
    ['', undefined],
  ];
  for (const [folder, want] of cases) assert.deepEqual(vespaFolder(folder), want, folder);
});

test('every layout declares every kind it gives (what --kind pruning relies on)', () => {
  const keys = [
    'vespa-team/app/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst',
    'vespa-team/app/default/h2946a/logs/connection/ConnectionLog.default.20210629100001.zst',
    'vespa-team/app/default/h2946a/logs/vespa/vespa.log-2021-06-29.10-00-01.zst',
    'vespa-team/app/default/h2946a/logs/zookeeper/zookeeper.log-2021-06-29.10-00-01.zst',
    'vespa-team/app/default/h2946a/logs/start-services/start-services.out-x.zst',
    't/a/i/h1/service-dump/container-1625000000000/jvm-heap-dump.bin.zst',
    't/a/i/h1/service-dump/container-1625000000000/recording.jfr.zst',
    't/a/i/h1/service-dump/container-1625000000000/jstack',
    't/a/i/h1/dumps/x.hprof',
    't/a/i/h1/jfr/x.jfr',
    'logs/20260105/20260105T170000Z_20260105T170030Z_fb4b2e2b.log.gz',
    'logs/ownership-challenge-bb2912e0.txt',
    'exports/123456_2026-01-05_7#0.json.gz',
    '-189524/-189524_2026-01-05_17.json.gz',
    'archive/123456/2026/01/05/17/logs.json.gz',
    'logzio-verified',
    'archive/2026/01/05/17/x.hprof',
    'archive/2026/01/05/17/x.jfr.gz',
    'x/README',
  ];
  for (const l of [...LAYOUTS, getLayout('auto')])
    for (const k of keys) {
      const kind = l.parse(k)?.kind;
      if (kind !== undefined) assert.ok(l.kinds.includes(kind), `${l.name} gives ${kind} for ${k} but does not declare it`);
    }
  assert.deepEqual(
    LAYOUTS.filter((l) => l.hosts).map((l) => l.name),
    ['vespa'],
  );
});
