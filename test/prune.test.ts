/**
 * Pruned listings give exactly the full scan's answer: a property test on both emulators over an
 * archive holding every layout, keys that follow no layout, and keys built to trip a careless
 * pruner (a file time that disagrees with its daily folder, a Vespa tree copied under a date
 * folder, ownership challenges and READMEs inside daily folders, impossible dates, folder markers).
 * Then the CLI surface: --explain, --json totals, --no-prune.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { resolveTarget } from '../src/target.js';
import { openProvider } from '../src/providers/index.js';
import { listEntries, entryToJson, type ListOptions, type ListTotals } from '../src/listing.js';
import type { StorageProvider } from '../src/providers/types.js';
import { compareKeys } from '../src/listing/walk.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAYS = 40;
// Keys carry times relative to one fixed "now", the clock every listing here is given (`now` in
// process, ARCHIVE_NOW for the CLI), so which day and hour folders a window touches never depends
// on when the suite runs (it did: the scanned-key bounds below failed at most hours of the day).
// It is an hour past midnight, a day after a month's end: `--since 2h` and `1d` cross midnight,
// `--since 3d --until 1d` crosses the month boundary. (The planner reads a stem's days that fall in
// one month as that month, plan-names.ts, so a 3-day window inside one month would read the
// month's files: fine for the service, not what the bounds below describe.) Last-modified times
// (the seeding moment, months later) fall inside the open-ended windows, outside the bounded ones.
const NOW = Date.UTC(2026, 2, 2, 1, 0, 0); // 2026-03-02T01:00:00Z
const CLOCK = { now: new Date(NOW) };

const p2 = (n: number) => String(n).padStart(2, '0');
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
const dashed = (t: number) => new Date(t).toISOString().slice(0, 10);
const stamp = (t: number) => `${new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`; // 20260105T170000Z
const compact = (t: number) => stamp(t).replace('T', '').slice(0, 14); // 20260105170000
const parts = (t: number) => {
  const d = new Date(t);
  return { y: String(d.getUTCFullYear()), m: p2(d.getUTCMonth() + 1), d: p2(d.getUTCDate()), h: p2(d.getUTCHours()) };
};

function archiveKeys(withMarkers: boolean): string[] {
  const keys = new Set<string>();
  const every = (stepH: number, f: (t: number, i: number) => void) => {
    let i = 0;
    for (let t = NOW - DAYS * DAY; t <= NOW; t += stepH * HOUR) f(t, i++);
  };
  // Cloudflare with daily folders, and the odd things people find in them.
  every(4, (t, i) => keys.add(`cf/http_requests/${ymd(t)}/${stamp(t)}_${stamp(t + 300_000)}_${(i * 7919).toString(16)}.log.gz`));
  keys.add('cf/http_requests/ownership-challenge-1a2b.txt');
  keys.add(`cf/http_requests/${ymd(NOW - 3 * DAY)}/ownership-challenge.txt`);
  keys.add(`cf/http_requests/${ymd(NOW - 5 * DAY)}/README`);
  keys.add(`cf/http_requests/${ymd(NOW)}/notes.txt`);
  keys.add(`cf/http_requests/${ymd(NOW - 2 * DAY)}/sub/deep/thing.bin`);
  // A file whose own stamps say "now" inside a folder that says "30 days ago".
  keys.add(`cf/http_requests/${ymd(NOW - 30 * DAY)}/${stamp(NOW - HOUR)}_${stamp(NOW)}_bad0.log.gz`);
  // Cloudflare without daily folders.
  every(6, (t, i) => keys.add(`cfflat/${stamp(t)}_${stamp(t + 300_000)}_${(i * 104729).toString(16)}.log.gz`));
  // Folders big enough for several pages at ARCHIVE_LIST_CHUNK=50, so auto mode switches to the
  // vendor's delimiter after the first page (plan.ts decideSwitch), with strays on either side.
  every(3, (t, i) => keys.add(`cfbig/${stamp(t)}_${stamp(t + 60_000)}_${(i * 31).toString(16)}.log.gz`));
  every(3, (t) => keys.add(`ampbig/187520_${dashed(t)}_${new Date(t).getUTCHours()}#0.json.gz`));
  for (const k of ['cfbig/README', 'cfbig/zz-notes.txt', 'cfbig/sub/x', `cfbig/${ymd(NOW)}T_x`, 'cfbig/0-first']) keys.add(k);
  for (const k of ['ampbig/187520_notes.txt', 'ampbig/README', 'ampbig/sub_dir/x.txt', 'ampbig/187521_x_y', 'ampbig/-1_']) keys.add(k);
  // Vespa: three hosts, access and connection logs, a timeless vespa.log, a heap dump.
  every(6, (t) => {
    for (const h of ['h1', 'h2', 'h3']) keys.add(`acme/search/prod/${h}.vespa.example/logs/access/JsonAccessLog.default.${compact(t)}.zst`);
    keys.add(`acme/search/prod/h1.vespa.example/logs/connection/ConnectionLog.default.${compact(t)}.zst`);
    const closed = new Date(t + HOUR).toISOString();
    keys.add(
      `acme/search/prod/h3.vespa.example/logs/vespa/vespa.log-${closed.slice(0, 10)}.${closed.slice(11, 19).replace(/:/g, '-')}.zst`,
    );
  });
  keys.add('acme/search/prod/h2.vespa.example/logs/vespa/vespa.log');
  keys.add(`acme/search/prod/h1.vespa.example/service-dump/container.default-${NOW - 2 * DAY}/jvm-heap-dump.bin.zst`);
  // A Vespa tree copied under a date folder: the folder binds it.
  keys.add(`backup/${ymd(NOW - 20 * DAY)}/acme/search/prod/h3.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}.zst`);
  keys.add(`backup/${ymd(NOW)}/acme/search/prod/h3.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}.zst`);
  // Beside the Vespa logs and around them, what a careless --host/--kind pruner would lose or keep
  // wrongly: a README and an Amplitude file in a log folder, stamps of the wrong length or almost
  // stamps, another host's tree under a host folder (found: it is that host's), a tree nested in a
  // log folder (not Vespa: the rule in layouts/vespa.ts), a log folder with no host above it.
  const v1 = 'acme/search/prod/h1.vespa.example';
  const v2 = 'acme/search/prod/h2.vespa.example';
  for (const k of [
    `${v1}/logs/access/README`,
    `${v1}/logs/README.md`,
    `${v1}/logs/access/JsonAccessLog.default.${compact(NOW - HOUR).slice(0, 10)}.zst`,
    `${v1}/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}0.zst`,
    `${v1}/logs/access/JsonAccessLog.default.${compact(NOW - 2 * HOUR)}x.zst`,
    `${v1}/logs/connection/${dashed(NOW - HOUR).replace(/-/g, '')}.log`,
    `${v1}/logs/connection/187520_${dashed(NOW - HOUR)}_${new Date(NOW - HOUR).getUTCHours()}#0.json.gz`,
    `${v1}/logs/connection/jfr/recording.jfr`,
    `${v2}/old/h1.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - 3 * HOUR)}.zst`,
    `${v2}/logs/weird/h1.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - 3 * HOUR)}.zst`,
    `${v2}/logs/access/old/h1.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - 3 * HOUR)}.zst`,
    `${v2}/logs/access-old/h1.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - 3 * HOUR)}.zst`,
    `${v2}/service-dump/container.default-${NOW - DAY}/jvm-heap-dump.bin.zst`,
    `${v2}/service-dump/container.default-${NOW - DAY}/jstack`,
    `acme/search/prod/h3.vespa.example/logs/vespa/vespa.log-${dashed(NOW - DAY)}.10-00-00.zst`,
    // The name rule (layouts/name-stamps.ts): after a stem, a plausible day binds the key; a '2' that
    // begins no day (an impossible one, one that begins over an hour ahead) keeps it out of windows.
    `${v1}/logs/access/JsonAccessLog.default.tmp`,
    `${v1}/logs/access/JsonAccessLog.default.2026-notes.txt`,
    `${v1}/logs/access/JsonAccessLog.default.${ymd(NOW)}/nested.txt`,
    `${v1}/logs/access/JsonAccessLog.default.${ymd(NOW - 3 * DAY)}x`,
    `${v1}/logs/access/JsonAccessLog.default.${compact(NOW + 30 * 60_000)}.zst`,
    `${v1}/logs/access/JsonAccessLog.default.${compact(NOW + 3 * DAY)}.zst`,
    `${v1}/logs/access/JsonAccessLog.default.19991231230000.zst`,
    `${v1}/logs/access/JsonAccessLog.default.20261301000000.zst`,
    `${v1}/logs/access/JsonAccessLog.c2.${compact(NOW - HOUR)}.zst`,
    `${v1}/logs/access/JsonAccessLog.c2x`,
    `${v1}/logs/access/access.log.${ymd(NOW - DAY)}`,
    `${v1}/logs/access/access-json.log.${compact(NOW - 2 * DAY)}.zst`,
    `${v1}/logs/access/QueryAccessLog.default.${compact(NOW - 5 * DAY)}.gz`,
    `${v1}/logs/vespa/vespa.log-${dashed(NOW)}.01-00-00.zst`,
    `${v1}/logs/vespa/vespa.log-${dashed(NOW - 2 * DAY)}`,
    `${v1}/logs/vespa/vespa.log-old.zst`,
    `${v1}/logs/vespa/vespa.log.zst`,
    `${v1}/logs/zookeeper/zookeeper.log-${dashed(NOW - 6 * HOUR)}.00-00-00.zst`,
    `${v1}/logs/connection/ConnectionLog.default.${compact(NOW - 26 * HOUR)}.zst`,
    `${v1}/logs/2026/x.txt`,
    `${v1}/logs/a2/b.txt`,
    `acme/search/prod/h3.vespa.example/logs/zookeeper/zookeeper.log-${dashed(NOW - DAY)}.10-00-00.zst`,
    `misc/h9.vespa.example/logs/connection/ConnectionLog.default.${compact(NOW - HOUR)}.zst`,
    `logs/access/h4.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}.zst`,
    `cfflat/README`,
    `cfflat/${stamp(NOW - HOUR)}_${stamp(NOW)}.log.gz`,
    `cfflat/${stamp(NOW - HOUR).slice(0, 9)}_x.log.gz`,
  ])
    keys.add(k);
  // Amplitude events and merged ids.
  every(5, (t) => {
    const d = new Date(t);
    keys.add(`amp/187520/187520_${dashed(t)}_${d.getUTCHours()}#0.json.gz`);
  });
  every(24, (t) => keys.add(`amp/merged/-189524_${dashed(t)}_${new Date(t).getUTCHours()}.json.gz`));
  // Logz.io, both folder spellings, and the marker.
  every(8, (t) => {
    const { y, m, d, h } = parts(t);
    keys.add(`lz/123456/${y}/${m}/${d}/${h}/logs-${t}.json.gz`);
    keys.add(`lz/654321/year=${y}/month=${m}/day=${d}/hour=${h}/logs.json.gz`);
  });
  keys.add('lz/logzio-verified');
  // Hive and dt= partitions, dated folders, with strays at every level.
  every(6, (t) => {
    const { y, m, d, h } = parts(t);
    keys.add(`hive/events/year=${y}/month=${m}/day=${d}/hour=${h}/part-00000.json`);
    keys.add(`dtt/dt=${dashed(t)}/x.log`);
    keys.add(`dated/${y}/${m}/${d}/app.log`);
  });
  const { y, m } = parts(NOW);
  keys.add(`hive/events/year=${y}/README`);
  keys.add(`hive/events/year=${y}/month=${m}/_SUCCESS`);
  keys.add(`dated/${y}/${m}/notes.txt`);
  keys.add(`dated/${y}/summary.txt`);
  // Keys that follow no layout.
  for (const k of [
    'README.md',
    'misc/readme.txt',
    'misc/sub/data.bin',
    'unrelated/a/b/c/d/e/f.txt',
    '20269999/x.txt',
    'report-é/ünïcode.txt',
    'a.txt',
    'a/b.txt',
    'a0',
  ])
    keys.add(k);
  if (withMarkers) {
    keys.add('markers/');
    keys.add(`cf/http_requests/${ymd(NOW - DAY)}/`);
  }
  return [...keys];
}

const LAYOUTS = ['auto', 'auto', 'auto', 'auto', 'cloudflare', 'vespa', 'amplitude', 'logzio', 'dated', 'generic'];
const KINDS = [
  ...Array(10).fill(undefined),
  'logs',
  'access',
  'access',
  'connection',
  'vespa',
  'access,connection',
  'challenge',
  'events',
  'marker',
  'heapdump',
  'dump',
  'jfr',
];
const HOSTS = [...Array(10).fill(undefined), 'h1.vespa.example', 'H1*', 'h*', 'h3*', 'h2*,h3*', 'h4*', 'h9*', 'nomatch'];
const PREFIXES = [
  '',
  'cfbig/',
  'ampbig/',
  '',
  '',
  'cf/',
  'cf/http_requests/',
  'cf/http_requests',
  `cf/http_requests/${ymd(NOW - 2 * DAY)}/`,
  'hive/events/',
  'lz/',
  'dated/',
  'acme/',
  'acme/',
  'acme/search/prod/',
  'acme/search/prod/h2.vespa.example/',
  'acme/search/prod/h1.vespa.example/logs/access/',
  'acme/search/prod/h1.vespa.example/logs/acc',
  'logs/',
  'misc/',
  'a',
];

const N_WINDOWS = 140;

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** Deterministic random windows (seeded), a few relative ones, some open-ended. */
function* windows(n: number, seed: number): Generator<ListOptions & { prefix: string; chunk: boolean }> {
  let s = seed;
  const rnd = (k: number) => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % k;
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)];
  const fixed: Array<Partial<ListOptions>> = [
    { since: '2h' },
    { since: '1d' },
    { since: '3d', until: '1d' },
    { until: '30d' },
    { since: '90m', until: 'now' },
  ];
  for (let i = 0; i < n; i++) {
    let w: Partial<ListOptions> = fixed[i] ?? {};
    if (!fixed[i]) {
      // Minute-granular edges anywhere in the archive (and a bit beyond), lengths from minutes to weeks.
      const since = NOW - (DAYS + 3) * DAY + rnd((DAYS + 5) * 24 * 60) * 60_000;
      const len = [20 * 60_000, 2 * HOUR, DAY, 3 * DAY, 15 * DAY][rnd(5)] + rnd(90) * 60_000;
      // A fifth without a window: --host/--kind prune alone.
      const shape = rnd(5);
      w =
        shape === 4
          ? {}
          : shape === 0
            ? { since: iso(since) }
            : shape === 1
              ? { until: iso(since + len) }
              : { since: iso(since), until: iso(since + len) };
    }
    const kind = pick(KINDS);
    const host = pick(HOSTS);
    yield {
      prefix: pick(PREFIXES),
      layout: pick(LAYOUTS),
      ...w,
      kind: kind ? [kind] : undefined,
      host: host ? [host] : undefined,
      chunk: i % 4 === 3,
    };
  }
}

async function run(provider: StorageProvider, prefix: string, o: ListOptions): Promise<{ rows: string[]; totals: ListTotals }> {
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  const rows: string[] = [];
  // As `archive list` asks: folder markers included (data commands drop them, pruned or not).
  for await (const e of listEntries(provider, prefix, { folders: true, ...CLOCK, ...o }, totals)) rows.push(JSON.stringify(entryToJson(e)));
  return { rows, totals };
}

/**
 * Rows in the order the service is documented to give (UTF-8 byte order of keys). s3rver answers
 * a flat listing by walking its directory tree, so it lists `a/b.txt` before `a.txt` ('.' < '/'),
 * which real S3 and Azure (and Azurite) do not; a pruned listing that reads a folder flat inherits
 * that. So on s3rver both sides are put in byte order before comparing (same entries, same facts);
 * on Azurite the order is compared exactly as listed.
 */
function inServiceOrder(name: string, rows: string[]): string[] {
  if (name !== 's3') return rows;
  const key = (r: string) => (JSON.parse(r) as { key: string }).key;
  return [...rows].sort((a, b) => compareKeys(key(a), key(b)));
}

for (const name of PROVIDERS) {
  describe(`pruned listing equals the full scan on ${name}`, () => {
    let p: ProviderFixture;
    let provider: StorageProvider;
    let keys: string[];
    before(async () => {
      p = await startProvider(name);
      // s3rver keeps objects as files, so a key ending in '/' would collide with its folder.
      keys = archiveKeys(name === 'azure');
      await p.seed(
        'arch',
        keys.map((key) => ({ key, body: `${key}\n` })),
      );
      // The in-process S3 client takes its credential from the environment's chain, as the CLI does.
      if (name === 's3') Object.assign(process.env, p.env);
      provider = await openProvider(await resolveTarget(p.loc('arch'), {}, p.env));
    });
    after(async () => p?.stop());

    test('the full scan sees every seeded key once, in key order', async () => {
      const { rows } = await run(provider, '', { prune: false });
      const listed = rows.map((r) => (JSON.parse(r) as { key: string }).key);
      assert.deepEqual([...listed].sort(), [...keys].sort());
      assert.equal(new Set(listed).size, keys.length);
    });

    test(`${N_WINDOWS} random windows × prefixes × layouts × kinds × hosts: same entries, same order`, async (t) => {
      let pruned = 0;
      let scopeOnly = 0;
      let nonEmpty = 0;
      let fullScanned = 0;
      let prunedScanned = 0;
      const t0 = Date.now();
      for (const w of windows(N_WINDOWS, name === 'azure' ? 11 : 23)) {
        const { prefix, chunk, ...o } = w;
        // On Azurite a quarter of the pruned listings with 50-key pages: several pages per listing,
        // and auto mode's switch to a vendor's delimiter after the first. The full scan keeps whole
        // pages. Not on s3rver: its flat pagination drops keys when its directory-walk order
        // (`access/` before `access-old/`) disagrees with key order at a page boundary, which small
        // pages reach (the test below uses folders without such names there).
        const full = await run(provider, prefix, { ...o, prune: false });
        if (chunk && name === 'azure') process.env.ARCHIVE_LIST_CHUNK = '50';
        const fast = await run(provider, prefix, o).finally(() => delete process.env.ARCHIVE_LIST_CHUNK);
        assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows), `mismatch for ${JSON.stringify(w)}`);
        assert.ok(fast.totals.requests! > 0 || fast.totals.scanned === 0);
        if (fast.totals.scanned < full.totals.scanned) pruned++;
        if (fast.totals.scanned < full.totals.scanned && !o.since && !o.until) scopeOnly++;
        if (full.rows.length) nonEmpty++;
        fullScanned += full.totals.scanned;
        prunedScanned += fast.totals.scanned;
      }
      t.diagnostic(
        `${nonEmpty} windows matched something, ${pruned} listings were pruned (${scopeOnly} by --host/--kind alone), keys read ${prunedScanned} vs ${fullScanned} full, ${Date.now() - t0} ms`,
      );
      // Not a vacuous pass: most windows match something and most listings were actually pruned.
      assert.ok(nonEmpty >= 25, `only ${nonEmpty} of ${N_WINDOWS} windows matched anything`);
      assert.ok(pruned >= 60, `only ${pruned} of ${N_WINDOWS} listings read fewer keys than the full scan`);
      // …and --host/--kind pruned on their own, without a window, more than a few times.
      assert.ok(scopeOnly >= 5, `only ${scopeOnly} listings without a window were pruned by --host/--kind`);
      // (Open-ended windows and the Vespa tree, which has no time folders, keep this well above 0.)
      assert.ok(prunedScanned < fullScanned * 0.85, `pruned listings read ${prunedScanned} keys, full scans ${fullScanned}`);
    });

    const keysOf = (rows: string[]) => rows.map((r) => (JSON.parse(r) as { key: string }).key);
    const v1 = 'acme/search/prod/h1.vespa.example';
    const v2 = 'acme/search/prod/h2.vespa.example';

    test("--host h1*: other hosts' log folders are skipped, h1 trees anywhere else are found", async () => {
      const full = await run(provider, '', { host: ['h1*'], prune: false });
      const fast = await run(provider, '', { host: ['h1*'] });
      assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows));
      // h2's and h3's access logs alone are 2 × 161 keys; the rest of the archive (Cloudflare, Hive, …)
      // is read, as any folder may hold a Vespa tree.
      assert.ok(fast.totals.scanned <= full.totals.scanned - 322, `scanned ${fast.totals.scanned} of ${full.totals.scanned}`);
      const got = keysOf(fast.rows);
      // Another host's folder may hold an h1 tree: found, as in the full scan.
      assert.ok(got.some((k) => k.startsWith(`${v2}/old/h1.vespa.example/logs/access/`)));
      assert.ok(got.some((k) => k.startsWith(`${v2}/logs/weird/h1.vespa.example/`)));
      assert.ok(got.some((k) => k.startsWith(`${v2}/logs/access-old/h1.vespa.example/`)));
      // Nested in a log folder it is no Vespa key (no host), and a README has no host either.
      assert.ok(!got.some((k) => k.startsWith(`${v2}/logs/access/old/`)));
      assert.ok(!got.includes(`${v1}/logs/access/README`));
      assert.ok(got.every((k) => k.includes('h1.vespa.example/')));
    });

    test("--kind access: connection, vespa and zookeeper folders are skipped; the answer is the full scan's", async () => {
      for (const o of [{ kind: ['access'] }, { kind: ['access'], since: '1d' }, { kind: ['connection'], host: ['h1*'] }]) {
        const full = await run(provider, 'acme/', { ...o, prune: false });
        const fast = await run(provider, 'acme/', o);
        assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows), JSON.stringify(o));
        assert.ok(
          fast.totals.scanned < full.totals.scanned,
          `${JSON.stringify(o)}: scanned ${fast.totals.scanned} of ${full.totals.scanned}`,
        );
      }
      // Beside the connection logs an Amplitude file keeps its own kind: --kind events still finds it.
      const ev = await run(provider, `${v1}/logs/`, { kind: ['events'] });
      assert.deepEqual(keysOf(ev.rows), [
        `${v1}/logs/connection/187520_${dashed(NOW - HOUR)}_${new Date(NOW - HOUR).getUTCHours()}#0.json.gz`,
      ]);
    });

    test('Vespa name stamps: a window reads its days below each stem, not the whole log folders', async () => {
      for (const o of [{ since: '2h' }, { since: '1d' }, { since: '3d', until: '1d' }, { since: '2h', kind: ['access'], host: ['h1*'] }]) {
        const full = await run(provider, 'acme/search/prod/', { ...o, prune: false });
        const fast = await run(provider, 'acme/search/prod/', o);
        assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows), JSON.stringify(o));
        assert.ok(full.rows.length > 0, JSON.stringify(o));
        // ~1,000 keys in the tree; a window of a few days reads those days' files and the strays.
        assert.ok(
          fast.totals.scanned * 8 < full.totals.scanned,
          `${JSON.stringify(o)}: scanned ${fast.totals.scanned} of ${full.totals.scanned}`,
        );
      }
      const events: string[] = [];
      const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
      for await (const _ of listEntries(
        provider,
        `${v1}/logs/`,
        { since: '2h', ...CLOCK, onPlan: (e) => events.push(`${e.decision.action} ${e.folder}`) },
        totals,
      ));
      // One listing of h1's logs/ by the stamp delimiter finds every stem; each is read for its days.
      assert.ok(events.includes(`stems ${v1}/logs/`), events.join('\n'));
      assert.ok(events.includes(`days ${v1}/logs/access/JsonAccessLog.default.2`), events.join('\n'));
      assert.ok(events.includes(`days ${v1}/logs/connection/ConnectionLog.default.2`), events.join('\n'));
      assert.ok(events.includes(`stems ${v1}/logs/access/JsonAccessLog.c2`), events.join('\n'));
    });

    test('Amplitude and flat Cloudflare, layout named: a window reads the days that exist, by the delimiter that ends the day', async () => {
      for (const [prefix, layout] of [
        ['amp/', 'amplitude'],
        ['cfflat/', 'cloudflare'],
        ['cf/http_requests/', 'cloudflare'],
        ['', 'amplitude'],
      ] as const) {
        for (const o of [{ since: '2h' }, { since: '1d' }, { since: '5d', until: '3d' }]) {
          const full = await run(provider, prefix, { ...o, layout, prune: false });
          const fast = await run(provider, prefix, { ...o, layout });
          const what = `${prefix} ${layout} ${JSON.stringify(o)}`;
          assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows), what);
          if (prefix) assert.ok(full.rows.length > 0, what);
          if (prefix)
            assert.ok(fast.totals.scanned * 5 < full.totals.scanned, `${what}: scanned ${fast.totals.scanned} of ${full.totals.scanned}`);
        }
      }
      const events: string[] = [];
      for await (const _ of listEntries(provider, 'amp/', {
        since: '2h',
        ...CLOCK,
        layout: 'amplitude',
        onPlan: (e) => events.push(`${e.decision.action} ${e.folder}`),
      }));
      assert.ok(events.includes('stems amp/'), events.join('\n'));
      assert.ok(events.includes('stems amp/187520/187520_'), events.join('\n'));
      assert.ok(
        events.includes(`flat amp/187520/187520_${dashed(NOW)}_`) || events.includes(`flat amp/187520/187520_${dashed(NOW - 2 * HOUR)}_`),
        events.join('\n'),
      );
    });

    test('auto mode: after one page of a big folder of Cloudflare or Amplitude files, the rest is read by their delimiter', async () => {
      try {
        for (const prefix of name === 'azure' ? ['cfbig/', 'ampbig/', ''] : ['cfbig/', 'ampbig/']) {
          for (const o of [{ since: '2h' }, { since: '1d' }, { since: '20d', until: '19d' }, { since: '45d', until: '38d' }]) {
            // The full scan with whole pages (see the property test on s3rver's pagination).
            const full = await run(provider, prefix, { ...o, prune: false });
            const events: string[] = [];
            process.env.ARCHIVE_LIST_CHUNK = '50';
            const fast = await run(provider, prefix, { ...o, onPlan: (e) => events.push(`${e.decision.action} ${e.folder}`) });
            delete process.env.ARCHIVE_LIST_CHUNK;
            const what = `${prefix} ${JSON.stringify(o)}`;
            assert.deepEqual(inServiceOrder(name, fast.rows), inServiceOrder(name, full.rows), what);
            if (!prefix) continue;
            assert.ok(events.includes(`stems ${prefix}`), `${what}: ${events.join('\n')}`);
            assert.ok(fast.totals.scanned * 3 < full.totals.scanned, `${what}: scanned ${fast.totals.scanned} of ${full.totals.scanned}`);
          }
        }
      } finally {
        delete process.env.ARCHIVE_LIST_CHUNK;
      }
    });

    test('a layout that gives no host answers --host with nothing, without a request', async () => {
      const r = await run(provider, '', { host: ['*'], layout: 'cloudflare' });
      assert.deepEqual(r.rows, []);
      assert.equal(r.totals.scanned, 0);
      assert.equal(r.totals.requests, 0);
      assert.deepEqual((await run(provider, '', { host: ['*'], layout: 'cloudflare', prune: false })).rows, []);
    });

    test('--explain names the skipped log folders and why', async () => {
      const r = await runCli(['list', p.loc('arch', 'acme/search/prod/'), '--host', 'h1*', '--json', '--explain'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /^plan: skip 2 folders acme\/search\/prod\/h2\.vespa\.example\/logs\/access\/ … acme\/search\/prod\/h2\.vespa\.example\/logs\/vespa\/ \(their Vespa hosts do not match --host\)$/m,
      );
      assert.match(
        r.stderr,
        /^plan: list acme\/search\/prod\/h1\.vespa\.example\/logs\/access\/ \(a Vespa log folder --kind\/--host keeps\)$/m,
      );
      const full = await runCli(['list', p.loc('arch', 'acme/search/prod/'), '--host', 'h1*', '--json', '--no-prune'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      const rows = (out: string) => (JSON.parse(out) as { objects: unknown[] }).objects.map((o) => JSON.stringify(o));
      assert.deepEqual(inServiceOrder(name, rows(r.stdout)), inServiceOrder(name, rows(full.stdout)));
    });

    test('the adversarial keys land where the rule says', async () => {
      const { rows } = await run(provider, '', { since: '2h' });
      const got = rows.map((r) => (JSON.parse(r) as { key: string }).key);
      // Its own stamps say "now" but its daily folder says 30 days ago: the folder binds it.
      assert.ok(!got.some((k) => k.endsWith('_bad0.log.gz')));
      assert.ok(
        !got.includes(
          `backup/${ymd(NOW - 20 * DAY)}/acme/search/prod/h3.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}.zst`,
        ),
      );
      // Under today's folder it is found, as are the strays filtered by last-modified (seeded now).
      assert.ok(
        got.includes(`backup/${ymd(NOW)}/acme/search/prod/h3.vespa.example/logs/access/JsonAccessLog.default.${compact(NOW - HOUR)}.zst`),
      );
      // The name rule: a '2' after a stem that begins no plausible day is in no window (though seeded
      // just now); a stamp half an hour ahead is one, three days ahead is not; a stem followed by no
      // stamp at all is dated by last-modified (seeded now: in the window).
      const a = `${v1}/logs/access/JsonAccessLog.`;
      for (const k of [`${a}default.2026-notes.txt`, `${a}default.${compact(NOW + 3 * DAY)}.zst`])
        assert.ok(!got.includes(k), `${k} listed`);
      for (const k of [
        `${a}default.${compact(NOW + 30 * 60_000)}.zst`,
        `${a}default.${ymd(NOW)}/nested.txt`,
        `${a}c2.${compact(NOW - HOUR)}.zst`,
        `${a}default.tmp`,
        `${v1}/logs/vespa/vespa.log-old.zst`,
      ])
        assert.ok(got.includes(k), `${k} missing`);
      for (const k of [
        'README.md',
        'misc/readme.txt',
        `${v1}/logs/vespa/vespa.log.zst`,
        `${v1}/logs/a2/b.txt`,
        'unrelated/a/b/c/d/e/f.txt',
        'lz/logzio-verified',
        'acme/search/prod/h2.vespa.example/logs/vespa/vespa.log',
        `cf/http_requests/${ymd(NOW)}/notes.txt`,
      ]) {
        assert.ok(got.includes(k), `${k} missing`);
      }
    });
  });

  describe(`list --explain / --json / --no-prune on ${name}`, () => {
    let p: ProviderFixture;
    before(async () => {
      p = await startProvider(name);
      await p.seed(
        'arch',
        archiveKeys(false).map((key) => ({ key, body: 'x' })),
      );
    });
    after(async () => p?.stop());

    test('--explain prints the plan and the requests on stderr; --json carries requests and scanned', async () => {
      const r = await runCli(['list', p.loc('arch', 'cf/http_requests/'), '--since', '2h', '--json', '--explain'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { count: number; scanned: number; requests: number; objects: Array<{ key: string }> };
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines[0], 'plan: walk cf/http_requests/ (looking for time folders and Vespa log folders)');
      assert.match(
        r.stderr,
        /^plan: skip \d+ folders cf\/http_requests\/\d{8}\/ … cf\/http_requests\/\d{8}\/ \(their time folders are outside the window\)$/m,
      );
      assert.equal(
        lines.at(-1),
        `plan: ${j.requests} LIST request${j.requests === 1 ? '' : 's'}, ${j.scanned} keys scanned, ${j.count} matched`,
      );
      // One listing of the level, one of today's folder (two when 2h reaches back past midnight).
      assert.ok(j.requests >= 2 && j.requests <= 3, `requests ${j.requests}`);
      assert.ok(j.scanned <= 20, `scanned ${j.scanned}`);

      const full = await runCli(['list', p.loc('arch', 'cf/http_requests/'), '--since', '2h', '--json', '--no-prune', '--explain'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(full.code, 0, full.stderr);
      const jf = JSON.parse(full.stdout) as typeof j;
      assert.deepEqual(j.objects, jf.objects);
      assert.ok(jf.scanned > 240, `full scan read ${jf.scanned}`);
      assert.doesNotMatch(full.stderr, /^plan: (skip|walk)/m);
      assert.match(full.stderr, /^plan: \d+ LIST requests?, \d+ keys scanned, \d+ matched$/m);
    });

    test('--verbose shows the plan too; without either, stderr stays empty', async () => {
      const v = await runCli(['--verbose', 'list', p.loc('arch', 'hive/'), '--since', '1d', '--ndjson'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stderr, /^plan: skip /m);
      const q = await runCli(['list', p.loc('arch', 'hive/'), '--since', '1d', '--ndjson'], { env: { ...p.env, ARCHIVE_NOW: iso(NOW) } });
      assert.equal(q.code, 0);
      assert.equal(q.stderr, '');
      assert.equal(q.stdout, v.stdout);
    });

    test('a location that is itself a day folder outside the window makes no request at all', async () => {
      const r = await runCli(['list', p.loc('arch', `cf/http_requests/${ymd(NOW - 10 * DAY)}/`), '--since', '2h', '--json', '--explain'], {
        env: { ...p.env, ARCHIVE_NOW: iso(NOW) },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { objects: [], count: 0, bytes: 0, scanned: 0, requests: 0 });
      assert.match(r.stderr, /^plan: skip cf\/http_requests\/\d{8}\/ \(time folder .* is outside the window\)$/m);
    });
  });
}
