/**
 * The pure parts of `--follow` and `archive freshness` at their edges (the emulator suites,
 * follow.test.ts and freshness.test.ts, show them end to end): gaps and cadence, stream names,
 * the tracker's classification, the append helpers, the duration flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { cadenceOf, findGaps, UNIT_MS } from '../src/freshness/gaps.js';
import { streamOf, undatedFolder } from '../src/freshness/streams.js';
import { promLabel, verdictLine } from '../src/freshness/render.js';
import { beginsFrame, codecOf, keepHead, keepTail, TAIL_BYTES } from '../src/follow/append.js';
import { MAX_ATTEMPTS, Tracker, type Change } from '../src/follow/tracker.js';
import { parseInterval, parseLateness } from '../src/follow/settings.js';
import { parseKey } from '../src/layouts/index.js';
import type { Entry } from '../src/filter.js';

const H = UNIT_MS.hour;
const T0 = Date.UTC(2026, 1, 28, 0); // 2026-02-28T00:00Z

test('findGaps: complete hours only, none before the first object, none inside the grace; 3 minutes make an hour delivered', () => {
  const now = T0 + 10 * H + 40 * 60_000; // 10:40
  const o = { since: now - 10 * H, now, unit: H, grace: H };
  const hour = (h: number, len = H) => ({ start: T0 + h * H, end: T0 + h * H + len });
  // Hours 1..8 judged (00:40 → first complete hour 01:00; last judged ends 09:00 = floor(now − 1 h)).
  const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => hour(h));
  assert.deepEqual(findGaps(all, o), []);
  const without = all.filter((s) => ![3, 4, 8].includes((s.start - T0) / H));
  assert.deepEqual(findGaps(without, o), [
    { start: T0 + 3 * H, end: T0 + 5 * H, units: 2 },
    { start: T0 + 8 * H, end: T0 + 9 * H, units: 1 },
  ]);
  // A file named a second past the hour reaches one second into the next: not enough.
  const vespa = [2, 4].map((h) => ({ start: T0 + h * H + 1000, end: T0 + (h + 1) * H + 1000 }));
  assert.deepEqual(findGaps(vespa, { ...o, now: T0 + 7 * H, since: T0 }), [
    { start: T0 + 3 * H, end: T0 + 4 * H, units: 1 },
    { start: T0 + 5 * H, end: T0 + 6 * H, units: 1 },
  ]);
  // Three minutes of the next hour are.
  assert.deepEqual(
    findGaps([{ start: T0 + 2 * H, end: T0 + 3 * H + 3 * 60_000 }, hour(4)], { ...o, now: T0 + 6 * H, since: T0 + 2 * H }),
    [],
  );
  // A point in time covers its hour; a stream that began at 07:10 has no gaps before 07:00.
  assert.deepEqual(findGaps([{ start: T0 + 7 * H + 600_000, end: T0 + 7 * H + 600_000 }], o), [
    { start: T0 + 8 * H, end: T0 + 9 * H, units: 1 },
  ]);
  // Nothing judged when the grace covers the window.
  assert.deepEqual(findGaps(without, { ...o, grace: 12 * H }), []);
});

test('cadenceOf: day for daily spans or daily points, hour otherwise', () => {
  assert.equal(cadenceOf([{ start: 0, end: H }]), 'hour');
  assert.equal(cadenceOf([{ start: 0, end: 5 * 60_000 }]), 'hour');
  assert.equal(cadenceOf([{ start: 0, end: 24 * H }]), 'day');
  const points = (step: number) => [0, 1, 2, 3].map((i) => ({ start: i * step, end: i * step }));
  assert.equal(cadenceOf(points(24 * H)), 'day');
  assert.equal(cadenceOf(points(H)), 'hour');
  assert.equal(cadenceOf(points(24 * H).slice(0, 2)), 'hour'); // too few to tell
});

function entry(key: string, etag = 'e1', size = 10): Entry {
  const facts = parseKey(key);
  const lastModified = new Date(T0);
  return {
    key,
    size,
    etag,
    lastModified,
    facts,
    time: facts.time ?? lastModified,
    timeEnd: facts.timeEnd,
    timeSource: facts.time ? 'key' : 'modified',
  };
}

test('streams: per vendor, by folder, by host, the location', () => {
  const cases: Array<[string, string]> = [
    ['acme/shop/default/h1.example/logs/access/JsonAccessLog.default.20260228100001.zst', 'h1.example/access'],
    ['cf/http_requests/20260228/20260228T100000Z_20260228T100100Z_ab.log.gz', 'cf/http_requests'],
    ['http_requests/20260228T100000Z_20260228T100100Z_ab.log.gz', 'http_requests'],
    ['20260228/20260228T100000Z_20260228T100100Z_ab.log.gz', '*'],
    ['exports/187520_2026-02-28_7#0.json.gz', '187520'],
    ['-189524_2026-02-28_7.json.gz', '-189524'],
    ['logs/123456/2026/02/28/10/x.json.gz', '123456'],
    ['svc-a/2026/02/28/10/x.log', '*'],
  ];
  for (const [key, stream] of cases) assert.equal(streamOf(entry(key), 'auto'), stream, key);
  assert.equal(undatedFolder('svc-a/2026/02/28/10/x.log'), 'svc-a');
  assert.equal(undatedFolder('a/b/year=2026/month=02/x'), 'a/b');
  assert.equal(undatedFolder('a/dt=2026-02-28/hour=10/x'), 'a');
  assert.equal(undatedFolder('plain/x.log'), 'plain');
  assert.equal(streamOf(entry('svc-a/2026/02/28/10/x.log'), 'folder'), 'svc-a');
  assert.equal(streamOf(entry(cases[0][0]), 'host'), 'h1.example');
  assert.equal(streamOf(entry(cases[1][0]), 'location'), '*');
});

test('Prometheus label values: backslash, quote and line feed escaped, nothing else', () => {
  assert.equal(promLabel('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
});

test('the verdict line', () => {
  const base = { location: 'x', now: new Date(T0), since: new Date(T0 - 24 * H), window: 24 * H, allowGaps: false, scanned: 0 };
  assert.equal(verdictLine({ ...base, streams: [], ok: false }), 'verdict: FAILED: no object in the last 1d');
});

test('tracker: new, late, rewritten; shown once; given up after MAX_ATTEMPTS; forgets what left the window', () => {
  const t = new Tracker();
  const a = entry('cf/20260228/20260228T100000Z_20260228T100100Z_a.log.gz');
  const b = entry('cf/20260228/20260228T090000Z_20260228T090100Z_b.log.gz');
  assert.deepEqual(t.classify(0, a), { kind: 'new' });
  const ca: Change = { source: 0, at: 0, entry: a, kind: 'new' };
  t.shown(ca, { tail: Buffer.from('x') });
  assert.equal(t.classify(0, a), undefined);
  assert.deepEqual(t.classify(0, b), { kind: 'late' });
  assert.deepEqual(t.classify(1, a), { kind: 'new' }); // another location
  const a2 = { ...a, etag: 'e2', size: 20 };
  assert.equal(t.classify(0, a2)?.kind, 'rewritten');
  assert.equal(t.classify(0, a2)?.previous?.size, 10);
  const cb: Change = { source: 0, at: 0, entry: b, kind: 'late' };
  for (let i = 1; i < MAX_ATTEMPTS; i++) assert.equal(t.failed(cb), false);
  assert.equal(t.failed(cb), true);
  assert.equal(t.classify(0, b), undefined);
  t.retain(0, new Set([b.key]));
  assert.deepEqual(t.classify(0, a), { kind: 'new' });
  assert.equal(t.size, 1);
});

test('append helpers: tails and heads kept, codecs told by magic bytes, frames checked', () => {
  const big = Buffer.alloc(TAIL_BYTES + 10, 7);
  assert.equal(keepTail(undefined, big).length, TAIL_BYTES);
  assert.deepEqual(keepTail(Buffer.from('abc'), Buffer.from('de')), Buffer.from('abcde'));
  assert.deepEqual(keepHead(Buffer.from('a'), Buffer.from('bcdef')), Buffer.from('abcd'));
  const gz = gzipSync('x');
  assert.equal(codecOf('a.log', gz), 'gzip');
  assert.equal(codecOf('a.log.gz', Buffer.from('plain')), 'none');
  assert.equal(codecOf('a.zst', undefined), 'zstd');
  assert.equal(codecOf('a', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(beginsFrame('gzip', gz), true);
  assert.equal(beginsFrame('gzip', Buffer.from('tail of a member')), false);
  assert.equal(beginsFrame('none', Buffer.from('anything')), true);
});

test('--interval and --lateness', () => {
  assert.equal(parseInterval(undefined), 30_000);
  assert.equal(parseInterval('250ms'), 250);
  assert.equal(parseInterval('5m'), 300_000);
  assert.throws(() => parseInterval('50ms'), /from 100ms to 24h/);
  assert.throws(() => parseInterval('soon'), /--interval/);
  assert.equal(parseLateness(undefined), 2 * H);
  assert.equal(parseLateness('3h'), 3 * H);
  assert.throws(() => parseLateness('30m'), /from 1h to 30d/);
});
