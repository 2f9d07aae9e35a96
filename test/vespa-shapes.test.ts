/**
 * Every key shape Vespa's uploader really writes, measured against the vendor's own material
 * rather than our reading of it:
 *   - the example keys of Vespa's archive guides for AWS, GCP and Azure (vespa-engine/documentation
 *     en/operations/archive/), the GCP one without a cluster in the name;
 *   - the destinations vespa-engine/vespa's SyncFileInfoTest asserts;
 *   - a model of SyncFileInfo.forLogFile (below, `upload`) fed the file names Vespa's components
 *     write (AccessLogComponent `TYPE.CLUSTER.%Y%m%d%H%M%S` and its symlink, older names without
 *     the cluster, logd's rotated vespa.log, ZooKeeper's logs, start-services.out), both sync modes;
 *   - random names under HOST/logs/TYPE/ (hostile characters included).
 * Then, on both emulators, a property test: over every shape × windows (crossing midnight and a
 * month end, relative ones counted from a fixed instant) × --host/--kind × prefixes, the pruned
 * listing equals the full scan, and for the uploader's shapes the full scan equals what the keys'
 * own times say (so neither drops a key the uploader wrote). Last, the guide's keys through the
 * CLI: list --host, cat and query --kind access.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { runInProcess } from './support/io.js';
import { prng, zstdProgram, ZstdFixtures } from './support/zstd-fixtures.js';
import { vespa } from '../src/layouts/vespa.js';
import { parseKey } from '../src/layouts/index.js';
import { latestStampDay, nameBound } from '../src/layouts/name-stamps.js';
import { resolveTarget } from '../src/target.js';
import { openProvider } from '../src/providers/index.js';
import { listEntries, entryToJson, type ListOptions, type ListTotals } from '../src/listing.js';
import { compareKeys } from '../src/listing/walk.js';
import type { StorageProvider } from '../src/providers/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Fixed instants, never the clock: a month end and a year end, ten and forty minutes before midnight.
const INSTANTS = [Date.parse('2026-11-30T23:50:00Z'), Date.parse('2026-12-31T23:20:00Z')];

const iso = (t: number) => new Date(t).toISOString();
const compact = (t: number) => iso(t).replace(/[-:T]/g, '').slice(0, 14); // 20261130235000
const dashedTime = (t: number) => iso(t).slice(0, 19).replace('T', '.').replace(/:/g, '-'); // 2026-11-30.23-50-00
const dayStart = (t: number) => Math.floor(t / DAY) * DAY;

/**
 * Where vespa-engine/vespa's node-admin SyncFileInfo.forLogFile (current master) uploads a local
 * log file, relative to the host's archive folder, or undefined when it does not. Modelled from
 * its source and SyncFileInfoTest: it routes by how the name starts, renames the live vespa.log
 * and zookeeper logs by their last-modified time, and adds `.zst` unless the name ends so (the
 * rotated-only sync skips files not yet compressed).
 */
function upload(local: string, rotatedOnly: boolean, mtime: number): string | undefined {
  if (local.startsWith('vespa.log')) {
    const name = local === 'vespa.log' && !rotatedOnly ? `vespa.log-${dashedTime(mtime)}` : local;
    return `logs/vespa/${name}.zst`;
  }
  if (local.startsWith('zookeeper.') && local.endsWith('.log')) {
    const name = rotatedOnly && local.endsWith('.0.log') ? 'zookeeper.log' : `zookeeper.log-${dashedTime(mtime)}`;
    return `logs/zookeeper/${name}.zst`;
  }
  if (local.startsWith('start-services.out-')) return `logs/start-services/${local}.zst`;
  const compressed = local.endsWith('.zst');
  if (rotatedOnly && !compressed) return undefined;
  if (local.includes('.metrics-proxy.')) return undefined;
  const ext = compressed ? '' : '.zst';
  if (local.startsWith('JsonAccessLog.') || local.startsWith('access')) return `logs/access/${local}${ext}`;
  if (local.startsWith('ConnectionLog.')) return `logs/connection/${local}${ext}`;
  return undefined;
}

interface Expected {
  kind: string;
  host: string;
  /** The key's own time (undefined: none in the name, last-modified decides). */
  time?: number;
  timeEnd?: number;
  container?: string;
}

/** A local file Vespa writes, and what the uploaded key's time should read as. */
interface LocalFile {
  name: string;
  mtime: number;
  /** The time the uploaded name carries: the stamp, or (renamed live files) the mtime. */
  time?: number;
  timeEnd?: number;
  /** Whether `time` comes from a rename by mtime (only when not rotated-only). */
  renamedLive?: boolean;
  container?: string;
}

const CLUSTERS = ['default', 'container', 'search2', 'my.cluster', 'feed-2', 'c_2', 'q2a'];
const HOSTS = ['h2946a', 'h7644a', 'h404a', 'h12b'];
const SCOPES = ['vespa-team/vespacloud-docsearch/default', 'mytenant/myapp/default', 'acme/shop/prod-2'];

/** The local names Vespa's components write, stamped at `t`. */
function localFiles(t: number, rnd: () => number): LocalFile[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const c = pick(CLUSTERS);
  const hourly = { time: t - (t % 1000), timeEnd: t - (t % 1000) + HOUR };
  const daily = { time: dayStart(t), timeEnd: dayStart(t) + DAY };
  const s = compact(t);
  const d = s.slice(0, 8);
  const mtime = t + Math.floor(rnd() * 50) * 60_000;
  return [
    // AccessLogComponent today: TYPE.CLUSTER.%Y%m%d%H%M%S, rotated, compressed by zstd or gzip, and its symlink.
    { name: `JsonAccessLog.${c}.${s}`, mtime, ...hourly, container: c },
    { name: `JsonAccessLog.${c}.${s}.zst`, mtime, ...hourly, container: c },
    { name: `JsonAccessLog.${c}.${s}.gz`, mtime, ...hourly, container: c },
    { name: `JsonAccessLog.${c}`, mtime },
    { name: `ConnectionLog.${c}.${s}.zst`, mtime, ...hourly, container: c },
    { name: `ConnectionLog.${c}`, mtime },
    // Older releases: no cluster in the name (the GCP guide's key), date-only access logs.
    { name: `JsonAccessLog.${s}.zst`, mtime, ...hourly },
    { name: `JsonAccessLog.${d}`, mtime, ...daily },
    { name: `ConnectionLog.${d}.zst`, mtime, ...daily },
    { name: `access.log.${d}`, mtime, ...daily },
    { name: `access.log.${d}.zst`, mtime, ...daily },
    { name: `access-json.log.${s}.zst`, mtime, ...hourly },
    // Never uploaded: the metrics proxy's access log, and QueryAccessLog (not JsonAccessLog., not access…).
    { name: `JsonAccessLog.metrics-proxy.${s}.zst`, mtime, ...hourly },
    { name: `QueryAccessLog.${c}.${s}.zst`, mtime, ...hourly },
    // logd rotates vespa.log by the time it rotated; older releases by day; the live file.
    { name: `vespa.log-${dashedTime(t)}`, mtime, time: t - (t % 1000) },
    { name: `vespa.log-${iso(t).slice(0, 10)}`, mtime, time: dayStart(t) },
    { name: 'vespa.log', mtime, time: mtime - (mtime % 1000), renamedLive: true },
    // ZooKeeper's logs: the live .0.log and an older one, both renamed by mtime.
    { name: 'zookeeper.configserver.0.log', mtime, time: mtime - (mtime % 1000), renamedLive: true },
    { name: `zookeeper.configserver.${1 + Math.floor(rnd() * 3)}.log`, mtime, time: mtime - (mtime % 1000) },
    { name: `start-services.out-${iso(t).slice(0, 19).replace(/[T:]/g, '-')}`, mtime },
  ];
}

/** Every key the uploader writes for `local` on `host`, with what its facts must be. */
function uploadedKeys(scope: string, host: string, f: LocalFile): Array<[string, Expected]> {
  const out: Array<[string, Expected]> = [];
  for (const rotatedOnly of [true, false]) {
    const rel = upload(f.name, rotatedOnly, f.mtime);
    if (!rel) continue;
    const kind = rel.split('/')[1]!;
    const e: Expected = { kind, host };
    const stamped = f.renamedLive ? !rotatedOnly : f.time !== undefined;
    if (stamped && kind !== 'start-services') {
      e.time = f.time;
      if (f.timeEnd !== undefined) e.timeEnd = f.timeEnd;
    }
    if (f.container) e.container = f.container;
    out.push([`${scope}/${host}/${rel}`, e]);
  }
  return out;
}

const FRAGMENTS = [
  'JsonAccessLog.',
  'ConnectionLog.',
  'access',
  'access.log.',
  'vespa.log',
  'vespa.log-',
  'zookeeper.log',
  'zookeeper.log-',
  'start-services.out-',
  'default.',
  'c2.',
  '2',
  '20',
  '2026',
  '1130',
  '1231',
  '2027',
  '0101',
  '235000',
  '-11-30',
  '.23-50-00',
  '1',
  '0',
  '.',
  '-',
  '_',
  '.zst',
  '.gz',
  'x',
  'README',
  ' ',
  '"',
  "'",
  '\\',
  'é',
  '#',
  '%',
  '/',
];

/** A random name under HOST/logs/TYPE/ (or a random folder): anything at all, stems and stamps often. */
function randomKey(rnd: () => number, now: number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const type = pick(['access', 'access', 'connection', 'vespa', 'zookeeper', 'start-services', 'weird', 'access-old']);
  let name = '';
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) name += rnd() < 0.15 ? compact(now - Math.floor(rnd() * 3 * DAY)) : pick(FRAGMENTS);
  name = name.replace(/\/+$/, '').replace(/^\/+/, '').replace(/\/\/+/g, '/') || 'x';
  return `${pick(SCOPES)}/${pick(HOSTS)}/logs/${type}/${name}`;
}

interface Archive {
  keys: string[];
  expected: Map<string, Expected>;
}

function buildArchive(): Archive {
  const rnd = prng(2126);
  const expected = new Map<string, Expected>();
  const other = new Set<string>();
  for (const now of INSTANTS) {
    // Files stamped from three days before the instant to half an hour after it (clock skew).
    for (let t = now - 3 * DAY; t <= now + 30 * 60_000; t += 3 * HOUR + Math.floor(rnd() * 3 * HOUR)) {
      const scope = SCOPES[Math.floor(rnd() * SCOPES.length)]!;
      const host = HOSTS[Math.floor(rnd() * HOSTS.length)]!;
      for (const f of localFiles(t + Math.floor(rnd() * 3600) * 1000, rnd))
        for (const [k, e] of uploadedKeys(scope, host, f)) expected.set(k, e);
    }
    for (let i = 0; i < 120; i++) other.add(randomKey(rnd, now));
  }
  // A few keys beside the hosts: a README, another vendor's file, a dump.
  other.add('vespa-team/README.md');
  other.add(`vespa-team/vespacloud-docsearch/default/h2946a/service-dump/default-container.0-${INSTANTS[0]! - DAY}/jvm-heap-dump.bin.zst`);
  for (const k of expected.keys()) other.delete(k);
  return { keys: [...expected.keys(), ...other], expected };
}

const ARCHIVE = buildArchive();
/** Azure turns '\\' in a blob name into '/' (the SDKs' URL parsing does): such names are S3-only. */
const keysFor = (name: string) => (name === 'azure' ? ARCHIVE.keys.filter((k) => !k.includes('\\')) : ARCHIVE.keys);

function checkFacts(key: string, want: Expected): void {
  const f = parseKey(key);
  assert.equal(f.layout, 'vespa', key);
  assert.equal(f.host, want.host, key);
  assert.equal(f.kind, want.kind, key);
  assert.equal(f.time?.getTime(), want.time, `${key}: time`);
  assert.equal(f.timeEnd?.getTime(), want.timeEnd, `${key}: timeEnd`);
  assert.equal(f.fields?.container, want.container, `${key}: container`);
  // The name rule never keeps an uploaded key out of a window its own time falls in.
  for (const now of INSTANTS) {
    const b = nameBound(key, latestStampDay(undefined, now));
    if (want.time === undefined || want.time > now + HOUR) continue;
    assert.notEqual(b, null, `${key}: the name rule would drop it`);
    if (b) assert.ok(b.start <= want.time && (want.timeEnd ?? want.time + 1) <= b.end, `${key}: its time lies outside its name bound`);
  }
}

describe("Vespa's own key shapes (pure)", () => {
  test('the archive guides’ example keys: host, kind access, tenant, time', () => {
    // AWS guide (shown with a leading '/'), GCP guide (no cluster: older releases), Azure guide.
    const aws = vespa.parse('/vespa-team/vespacloud-docsearch/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst');
    assert.deepEqual(aws, {
      layout: 'vespa',
      kind: 'access',
      host: 'h2946a',
      fields: { tenant: 'vespa-team', application: 'vespacloud-docsearch', instance: 'default', container: 'default' },
      time: new Date('2021-06-29T10:00:01Z'),
      timeEnd: new Date('2021-06-29T11:00:01Z'),
    });
    const gcp = vespa.parse('vespa-team/vespacloud-docsearch/default/h7644a/logs/access/JsonAccessLog.20221011080000.zst');
    assert.deepEqual(gcp, {
      layout: 'vespa',
      kind: 'access',
      host: 'h7644a',
      fields: { tenant: 'vespa-team', application: 'vespacloud-docsearch', instance: 'default' },
      time: new Date('2022-10-11T08:00:00Z'),
      timeEnd: new Date('2022-10-11T09:00:00Z'),
    });
    const azure = parseKey('mytenant/myapp/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst');
    assert.equal(azure.host, 'h2946a');
    assert.equal(azure.kind, 'access');
    // The general guide's `cat JsonAccessLog.20230117*` after `gsutil cp -r …/h404a .`: a copied host folder.
    const copied = parseKey('vespa-files/h404a/logs/access/JsonAccessLog.20230117100000.zst');
    assert.equal(copied.host, 'h404a');
    assert.equal(copied.time?.toISOString(), '2023-01-17T10:00:00.000Z');
  });

  test("SyncFileInfoTest's destinations", () => {
    const base = 'vespa/music/main/h432a/';
    const cases: Array<[string, string, string | undefined]> = [
      ['logs/access/access.log.20210211.zst', 'access', '2021-02-11T00:00:00.000Z'],
      ['logs/access/access.log.20210212.zst', 'access', '2021-02-12T00:00:00.000Z'],
      ['logs/access/access-json.log.20210213.zst', 'access', '2021-02-13T00:00:00.000Z'],
      ['logs/access/JsonAccessLog.20210214.zst', 'access', '2021-02-14T00:00:00.000Z'],
      ['logs/access/JsonAccessLog.container.20210214.zst', 'access', '2021-02-14T00:00:00.000Z'],
      ['logs/connection/ConnectionLog.20210210.zst', 'connection', '2021-02-10T00:00:00.000Z'],
      ['logs/connection/ConnectionLog.20210212.zst', 'connection', '2021-02-12T00:00:00.000Z'],
      ['logs/vespa/vespa.log.zst', 'vespa', undefined],
      ['logs/vespa/vespa.log-2022-05-09.14-22-11.zst', 'vespa', '2022-05-09T14:22:11.000Z'],
      ['logs/vespa/vespa.log-2021-02-12.zst', 'vespa', '2021-02-12T00:00:00.000Z'],
      ['logs/zookeeper/zookeeper.log.zst', 'zookeeper', undefined],
      ['logs/zookeeper/zookeeper.log-2022-05-13.13-13-45.zst', 'zookeeper', '2022-05-13T13:13:45.000Z'],
      ['logs/zookeeper/zookeeper.log-2022-05-09.14-22-11.zst', 'zookeeper', '2022-05-09T14:22:11.000Z'],
    ];
    for (const [rel, kind, time] of cases) {
      const f = parseKey(base + rel);
      assert.equal(f.layout, 'vespa', rel);
      assert.equal(f.host, 'h432a', rel);
      assert.equal(f.kind, kind, rel);
      assert.equal(f.time?.toISOString(), time, rel);
      assert.deepEqual(
        { tenant: f.fields?.tenant, application: f.fields?.application, instance: f.fields?.instance },
        { tenant: 'vespa', application: 'music', instance: 'main' },
      );
    }
  });

  test(`every shape the uploader model writes (${ARCHIVE.expected.size} keys): host, kind, time, and no name rule drop`, () => {
    const kinds = new Map<string, number>();
    for (const [key, want] of ARCHIVE.expected) {
      checkFacts(key, want);
      kinds.set(want.kind, (kinds.get(want.kind) ?? 0) + 1);
    }
    // Not vacuous: every folder the uploader writes to is drawn from.
    assert.deepEqual([...kinds.keys()].sort(), ['access', 'connection', 'start-services', 'vespa', 'zookeeper']);
    // The model sends neither the metrics proxy's log nor QueryAccessLog.
    assert.ok(![...ARCHIVE.expected.keys()].some((k) => k.includes('.metrics-proxy.') || k.includes('QueryAccessLog')));
  });

  test('names the uploader never writes into a log folder are left to the other layouts', () => {
    for (const k of ['t/a/i/h1/logs/access/README', 't/a/i/h1/logs/access/nginx-access.log.gz', 't/a/i/h1/logs/connection/x.log'])
      assert.equal(vespa.parse(k), undefined, k);
  });
});

function iter<T>(n: number, seed: number, f: (rnd: () => number, i: number) => T): T[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, (_, i) => f(rnd, i));
}

interface Case {
  prefix: string;
  o: ListOptions;
}

/** Windows around the instants: absolute edges to the minute, relative ones from the instant, open ones. */
function cases(n: number, seed: number): Case[] {
  const prefixes = [
    '',
    '',
    'vespa-team/',
    'mytenant/myapp/default/',
    `${SCOPES[0]}/h2946a/`,
    `${SCOPES[1]}/h7644a/logs/`,
    `${SCOPES[2]}/h404a/logs/access/`,
    `${SCOPES[0]}/h12b/logs/access/JsonAccessLog.`,
    `${SCOPES[1]}/h2946a/logs/connection/ConnectionLog.2`,
  ];
  const kinds = [undefined, undefined, undefined, 'access', 'connection', 'vespa', 'zookeeper', 'start-services', 'access,vespa', 'logs'];
  const hosts = [undefined, undefined, undefined, 'h2946a', 'h7*', 'h4*,h12b', 'nomatch'];
  const relative = ['10m', '2h', '1d', '26h', '3d'];
  return iter(n, seed, (rnd, i) => {
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const now = INSTANTS[i % INSTANTS.length]!;
    const o: ListOptions = { now: new Date(now), layout: rnd() < 0.8 ? 'auto' : 'vespa' };
    const shape = Math.floor(rnd() * 6);
    const since = now - Math.floor(rnd() * 4 * 24 * 60) * 60_000;
    const len = [20 * 60_000, 2 * HOUR, DAY, 3 * DAY][Math.floor(rnd() * 4)]! + Math.floor(rnd() * 90) * 60_000;
    if (shape === 0) o.since = pick(relative);
    else if (shape === 1) o.since = iso(since);
    else if (shape === 2) o.until = iso(since);
    else if (shape === 3) {
      o.since = pick(relative.slice(1));
      o.until = pick(['1h', '20m', 'now']);
    } else if (shape === 4) {
      o.since = iso(since);
      o.until = iso(since + len);
    }
    const kind = pick(kinds);
    const host = pick(hosts);
    if (kind) o.kind = [kind];
    if (host) o.host = [host];
    return { prefix: pick(prefixes), o };
  });
}

async function rows(provider: StorageProvider, prefix: string, o: ListOptions): Promise<{ rows: string[]; totals: ListTotals }> {
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  const out: string[] = [];
  for await (const e of listEntries(provider, prefix, { folders: true, ...o }, totals)) out.push(JSON.stringify(entryToJson(e)));
  return { rows: out, totals };
}

const keyOf = (r: string) => (JSON.parse(r) as { key: string }).key;
/** s3rver lists a flat prefix in directory-walk order, not key order (see prune.test.ts): compare sorted there. */
const ordered = (name: string, r: string[]) => (name === 's3' ? [...r].sort((a, b) => compareKeys(keyOf(a), keyOf(b))) : r);

/** Whether an uploaded key's own time (or, without one, its last-modified) falls in the window. */
function ownTimeIn(e: Expected, lastModified: number, o: ListOptions, now: number): boolean {
  const parse = (s: string | undefined) => {
    if (!s) return undefined;
    if (s === 'now') return now;
    const m = /^(\d+)([mhd])$/.exec(s);
    return m ? now - +m[1]! * { m: 60_000, h: HOUR, d: DAY }[m[2] as 'm' | 'h' | 'd'] : Date.parse(s);
  };
  const since = parse(o.since);
  const until = parse(o.until);
  if (since === undefined && until === undefined) return true;
  // In a window with no end, a stamp whose day begins over an hour after the run's clock is no
  // stamp yet (the name rule's clock-skew clause): the archive holds stamps around both instants.
  if (until === undefined && e.time !== undefined && dayStart(e.time) > now + HOUR) return false;
  const start = e.time ?? lastModified;
  const end = e.time !== undefined ? (e.timeEnd ?? start) : start;
  if (since !== undefined && (e.timeEnd !== undefined ? end <= since : start < since)) return false;
  if (until !== undefined && start >= until) return false;
  return true;
}

for (const name of PROVIDERS) {
  describe(`pruned = full scan over every uploader shape on ${name}`, () => {
    let p: ProviderFixture;
    let provider: StorageProvider;
    const lastModified = new Map<string, number>();
    before(async () => {
      p = await startProvider(name);
      await p.seed(
        'vespa',
        keysFor(name).map((key) => ({ key, body: 'x' })),
      );
      if (name === 's3') Object.assign(process.env, p.env);
      provider = await openProvider(await resolveTarget(p.loc('vespa'), {}, p.env));
      for await (const o of provider.listObjects('')) lastModified.set(o.key, o.lastModified.getTime());
    });
    after(async () => p?.stop());

    test('the full scan sees every key, the uploaded ones with their facts', async () => {
      const { rows: all } = await rows(provider, '', { prune: false });
      assert.deepEqual(all.map(keyOf).sort(), [...keysFor(name)].sort());
      for (const r of all) {
        const j = JSON.parse(r) as { key: string; host?: string; kind?: string; time: string; timeSource: string; lastModified: string };
        const want = ARCHIVE.expected.get(j.key);
        if (!want) continue;
        assert.equal(j.host, want.host, j.key);
        assert.equal(j.kind, want.kind, j.key);
        if (want.time !== undefined) assert.equal(j.time, iso(want.time), j.key);
        else assert.equal(j.timeSource, 'modified', j.key);
      }
    });

    const N = 90;
    test(`${N} windows × --host/--kind × prefixes × layouts: pruned = full scan, and the uploaded keys = their own times`, async (t) => {
      let pruned = 0;
      let matched = 0;
      let uploadedChecked = 0;
      for (const { prefix, o } of cases(N, name === 'azure' ? 5 : 9)) {
        const what = JSON.stringify({ prefix, ...o });
        const full = await rows(provider, prefix, { ...o, prune: false });
        const fast = await rows(provider, prefix, o);
        assert.deepEqual(ordered(name, fast.rows), ordered(name, full.rows), what);
        if (fast.totals.scanned < full.totals.scanned) pruned++;
        if (full.rows.length) matched++;
        // The full scan itself: every uploaded key under the prefix that --host/--kind keep is
        // listed exactly when its own time (or last-modified) is in the window.
        const listed = new Set(full.rows.map(keyOf));
        const kinds = o.kind?.flatMap((k) => k.split(','));
        const hostOk = (h: string) =>
          !o.host || o.host.flatMap((x) => x.split(',')).some((g) => new RegExp(`^${g.replace(/\*/g, '.*')}$`, 'i').test(h));
        for (const [key, want] of ARCHIVE.expected) {
          if (!key.startsWith(prefix)) continue;
          if (kinds && !kinds.includes(want.kind)) continue;
          if (!hostOk(want.host)) continue;
          const inWin = ownTimeIn(want, lastModified.get(key)!, o, o.now!.getTime());
          assert.equal(listed.has(key), inWin, `${what}: ${key} (own time ${want.time ? iso(want.time) : 'none'})`);
          uploadedChecked++;
        }
      }
      t.diagnostic(`${matched} windows matched something, ${pruned} listings pruned, ${uploadedChecked} uploaded-key verdicts checked`);
      assert.ok(matched >= N / 3, `only ${matched} windows matched anything`);
      assert.ok(pruned >= N / 3, `only ${pruned} listings were pruned`);
    });
  });

  describe(`the archive guides' keys through the CLI on ${name}`, {
    skip: zstdProgram() ? false : 'the zstd program makes the .zst bodies',
  }, () => {
    let p: ProviderFixture;
    let z: ZstdFixtures;
    // One record each, in the JSON access log format of Vespa's JSONLogTestCase (search, attributes,
    // trace, remoteaddr), at the key's hour.
    const record = (time: number, extra: Record<string, unknown>) =>
      `${JSON.stringify({
        ip: '152.200.54.243',
        peeraddr: '152.200.54.243',
        time: time / 1000 + 0.023,
        duration: 0.122,
        responsesize: 9875,
        requestsize: 0,
        code: 200,
        method: 'GET',
        uri: '?query=test',
        version: 'HTTP/1.1',
        agent: 'Mozilla/4.05 [en] (Win95; I; "Best Browser Ever")',
        host: 'localhost',
        scheme: null,
        localport: 0,
        ...extra,
        search: { totalhits: 1234, hits: 0, coverage: { coverage: 50, documents: 100, degraded: { 'non-ideal-state': true } } },
      })}\n`;
    const KEYS = {
      aws: 'vespa-team/vespacloud-docsearch/default/h2946a/logs/access/JsonAccessLog.default.20210629100001.zst',
      gcp: 'vespa-team/vespacloud-docsearch/default/h7644a/logs/access/JsonAccessLog.20221011080000.zst',
    };
    before(async () => {
      p = await startProvider(name);
      z = new ZstdFixtures(zstdProgram()!);
      await p.seed('vespa', [
        {
          key: KEYS.aws,
          body: z.compress(
            Buffer.from(
              record(Date.parse('2021-06-29T10:10:00Z'), { remoteaddr: 'FE80:0000:0000:0000:0202:B3FF:FE1E:8329', remoteport: 1234 }),
            ),
          ),
        },
        {
          key: KEYS.gcp,
          body: z.compress(
            Buffer.from(
              record(Date.parse('2022-10-11T08:10:00Z'), {
                trace: { timestamp: 0, message: 'root' },
                attributes: { singlevalue: 'value1', multivalue: ['value2', 'value3'] },
              }),
            ),
          ),
        },
      ]);
    });
    after(async () => {
      z?.cleanup();
      await p?.stop();
    });

    const window = ['--since', '2022-10-11T07:30:00Z', '--until', '2022-10-11T08:30:00Z'];
    for (const prune of [[], ['--no-prune']]) {
      test(`list --host h7644a --kind access ${prune.join(' ')}: the GCP guide's key, with its host and kind`, async () => {
        const r = await runInProcess(
          ['list', p.loc('vespa', 'vespa-team/'), '--host', 'h7644a', '--kind', 'access', ...window, ...prune, '--ndjson'],
          {
            env: p.env,
          },
        );
        assert.equal(r.code, 0, r.stderr);
        const got = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepEqual(
          got.map((g) => [g.key, g.host, g.kind, g.time]),
          [[KEYS.gcp, 'h7644a', 'access', '2022-10-11T08:00:00.000Z']],
        );
      });
    }

    test('cat --kind access and query --kind access read it', async () => {
      const c = await runInProcess(['cat', p.loc('vespa', 'vespa-team/'), '--kind', 'access', ...window], { env: p.env });
      assert.equal(c.code, 0, c.stderr);
      const rec = JSON.parse(c.stdout) as { attributes: { multivalue: string[] }; trace: { message: string } };
      assert.deepEqual(rec.attributes.multivalue, ['value2', 'value3']);
      assert.equal(rec.trace.message, 'root');
      const q = await runInProcess(
        [
          'query',
          p.loc('vespa', 'vespa-team/'),
          '--kind',
          'access',
          '--since',
          '2021-01-01',
          '--csv',
          'SELECT _host, _kind, time, search.totalhits AS hits, attributes.multivalue[2] AS mv, remoteaddr FROM logs ORDER BY time',
        ],
        { env: p.env },
      );
      assert.equal(q.code, 0, q.stderr);
      assert.equal(
        q.stdout,
        [
          '_host,_kind,time,hits,mv,remoteaddr',
          'h2946a,access,2021-06-29 10:10:00.023,1234,,FE80:0000:0000:0000:0202:B3FF:FE1E:8329',
          'h7644a,access,2022-10-11 08:10:00.023,1234,value3,',
          '',
        ].join('\n'),
      );
    });
  });
}
