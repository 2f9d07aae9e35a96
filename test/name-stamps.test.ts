/**
 * The name rule (layouts/name-stamps.ts) and the planner's decisions below Vespa stems, pure: which
 * keys a stamp binds, which it keeps out of every window, and which day prefixes a window lists.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { latestStampDay, nameBound, segmentBound, stemAt } from '../src/layouts/name-stamps.js';
import { decideFolder, type FolderDecision, type PlanWindow } from '../src/listing/plan.js';
import { decideRollup, STAMP_DELIMITER } from '../src/listing/plan-names.js';
import { scopeFilters } from '../src/filter.js';

const T = (iso: string) => Date.parse(iso);
const NOW = T('2026-12-02T10:20:00Z');
// The latest day a stamp may begin on in a window with no end (the name rule's clock-skew clause).
const OPEN = latestStampDay(undefined, NOW);
const span = (a: string, b: string) => ({ start: T(a), end: T(b) });
const L = 'acme/search/prod/h1.vespa.example/logs';

describe('nameBound: what a Vespa stamp binds', () => {
  const cases: Array<[string, ReturnType<typeof nameBound>]> = [
    [`${L}/access/JsonAccessLog.default.20261201130000.zst`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/access/QueryAccessLog.c-1.20261201.gz`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/access/access.log.20261201`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/access/access-json.log.20261201130000.zst`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/connection/ConnectionLog.default.20261130230000.zst`, span('2026-11-30', '2026-12-01T01:00Z')],
    [`${L}/vespa/vespa.log-2026-12-01.13-00-00.zst`, span('2026-12-01', '2026-12-02')],
    [`${L}/zookeeper/zookeeper.log-2026-12-01.13-00-00.zst`, span('2026-12-01', '2026-12-02')],
    // A day there binds whatever follows it, a nested path too.
    [`${L}/access/JsonAccessLog.default.20261201/notes.txt`, span('2026-12-01', '2026-12-02T01:00Z')],
    // Older Vespa releases name access and connection logs without the cluster (the GCP archive
    // guide's key, SyncFileInfoTest's ConnectionLog.20210210); a cluster may hold dots (an NCName).
    [`${L}/access/JsonAccessLog.20261201080000.zst`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/connection/ConnectionLog.20261201.zst`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/access/JsonAccessLog.my.cluster-2.20261201080000.zst`, span('2026-12-01', '2026-12-02T01:00Z')],
    [`${L}/access/access.log.default.20261201`, span('2026-12-01', '2026-12-02T01:00Z')],
    // A '2' after a stem that begins no plausible day: in no window.
    [`${L}/access/JsonAccessLog.default.2026-notes.txt`, null],
    [`${L}/access/JsonAccessLog.default.20261301000000.zst`, null], // month 13
    [`${L}/access/JsonAccessLog.default.2x.zst`, null],
    [`${L}/access/JsonAccessLog.my.2x.20261201.zst`, null], // a cluster segment never begins with a digit
    [`${L}/access/JsonAccessLog.default.20261202235959.zst`, span('2026-12-02', '2026-12-03T01:00Z')], // today
    [`${L}/access/JsonAccessLog.default.20261203000000.zst`, null], // tomorrow begins 13 h 40 min ahead
    [`${L}/vespa/vespa.log-20261201`, null], // vespa.log stamps are dashed
    [`x/logs/weird/${L}/access/JsonAccessLog.default.2x`, null],
    // A stem followed by no stamp (no digit, or a digit other than '2'): no bound, last-modified dates it.
    [`${L}/access/JsonAccessLog.default.tmp`, undefined],
    [`${L}/access/JsonAccessLog.default.zst`, undefined], // the live file a final sync uploads
    [`${L}/access/JsonAccessLog.default.19891231000000.zst`, undefined],
    [`${L}/access/access.log.1`, undefined],
    [`${L}/vespa/vespa.log-old.zst`, undefined],
    [`x/logs/weird/${L}/access/JsonAccessLog.default.tmp`, undefined],
    // Not at a stem: no bound.
    [`${L}/vespa/vespa.log`, undefined],
    [`${L}/vespa/vespa.log.zst`, undefined],
    [`${L}/access/README`, undefined],
    [`${L}/access/JsonAccessLog.default`, undefined],
    [`${L}/access/ConnectionLog.default.20261201130000.zst`, undefined], // the wrong type's stem
    [`${L}/other/JsonAccessLog.default.20261201130000.zst`, undefined],
    ['h1/JsonAccessLog.default.20261201130000.zst', undefined],
    ['logs/access/JsonAccessLog.default.20261201130000.zst', undefined], // no host folder above logs/
    // The first log folder in the path decides (as THE RULE in vespa.ts reads it).
    [`${L}/access/old/h2/logs/access/JsonAccessLog.default.20261201130000.zst`, undefined],
  ];
  for (const [key, want] of cases) test(key.replace(L, 'L'), () => assert.deepEqual(nameBound(key, OPEN), want));

  test('the bound can only shrink as a path grows (what skipping a prefix relies on), random paths', () => {
    const parts = [
      'JsonAccessLog.',
      'default.',
      'c2.',
      '2',
      '0',
      '26',
      '12',
      '01',
      '13',
      '/',
      'x',
      '.zst',
      '-',
      'vespa.log-',
      '2026-12-01',
      'access.log.',
    ];
    const dirs = [`${L}/access/`, `${L}/vespa/`, `${L}/`, 'a/logs/access/', 'x/'];
    let s = 7;
    const rnd = (k: number) => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % k;
    const inside = (a: ReturnType<typeof nameBound>, b: ReturnType<typeof nameBound>) =>
      b === undefined || (b === null ? a === null : a === null || (a !== undefined && a.start >= b.start && a.end <= b.end));
    for (let i = 0; i < 3000; i++) {
      let p = dirs[rnd(dirs.length)];
      let prev: string | undefined;
      for (let j = 0; j < 8; j++) {
        p += parts[rnd(parts.length)];
        // Only a prefix that reaches a stem is ever used to skip: from then on the bound may only shrink.
        if (prev !== undefined && stemAt(prev))
          assert.ok(inside(nameBound(p, OPEN), nameBound(prev, OPEN)), `${p} ${JSON.stringify(nameBound(p, OPEN))} ⊄ ${prev}`);
        prev = p;
      }
    }
  });
});

describe('segmentBound: Amplitude and Cloudflare stamps at the start of a segment', () => {
  const cases: Array<[string, ReturnType<typeof segmentBound>]> = [
    ['amp/187520/187520_2026-12-01_13#0.json.gz', span('2026-12-01', '2026-12-02')],
    ['amp/merged/-189524_2026-12-01_7.json.gz', span('2026-12-01', '2026-12-02')],
    ['amp/187520/187520_2026-12-01_', span('2026-12-01', '2026-12-02')], // a listing prefix
    ['amp/187520/187520_2026-12-01', undefined], // not yet: the '_' ends the day
    ['amp/187520/187520_2026-12-01_/x.txt', span('2026-12-01', '2026-12-02')], // binds below it
    ['cf/20261201T235500Z_20261202T000000Z_ab.log.gz', span('2026-12-01', '2026-12-03')],
    ['cf/20261201T', span('2026-12-01', '2026-12-03')],
    ['cf/20261201', undefined],
    ['cf/20261301T000000Z_x.log.gz', undefined], // no month 13: no reading
    ['187520_2026-12-01_/20261205T000000Z_x.log.gz', null], // contradictory
    ['187520_2026-12-01_/20261202T000000Z_x.log.gz', null], // the day ends where the batch's two days begin
    ['a/x187520_2026-12-01_1#0.json.gz', undefined], // not at the start of the segment
    ['README', undefined],
  ];
  for (const [key, want] of cases) test(key, () => assert.deepEqual(segmentBound(key), want));
  test('nameBound intersects a Vespa stamp with segment stamps', () => {
    assert.deepEqual(nameBound(`20261201T/${L}/access/JsonAccessLog.default.20261202000000.zst`, OPEN), span('2026-12-02', '2026-12-03'));
    assert.equal(nameBound(`20261201T/${L}/access/JsonAccessLog.default.20261204000000.zst`, OPEN), null);
  });
  test('with an end to the window, a stamp far ahead is still a stamp (shards agree whatever their clocks)', () => {
    const closed = latestStampDay(T('2027-01-01'), NOW);
    assert.deepEqual(nameBound(`${L}/access/JsonAccessLog.default.20261220000000.zst`, closed), span('2026-12-20', '2026-12-21T01:00Z'));
    assert.equal(nameBound(`${L}/access/JsonAccessLog.default.20261220000000.zst`, OPEN), null);
  });
});

describe('decideRollup: the prefixes a stamp-delimiter listing returns', () => {
  const scope = { layout: 'auto', ...scopeFilters({}) };
  const win = (since: string, until?: string): PlanWindow => ({ since: T(since), until: until ? T(until) : undefined, scope, now: NOW });
  const parent: FolderDecision = { action: 'stems', reason: '', bound: undefined, plainDepth: 3, delimiter: STAMP_DELIMITER, stemDepth: 1 };
  const at = (p: string, w: PlanWindow) => decideRollup(`${L}/${p}`, w, parent);
  const days = (d: FolderDecision) => (d.action === 'days' ? d.prefixes!.map((p) => p.slice(p.lastIndexOf('.') + 1)) : d.action);

  test("--since 2h, mid-morning: today only (yesterday's last hourly file ended at 01:00)", () => {
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-12-02T08:20Z'))), ['20261202']);
  });
  test('a window starting before 01:00 reaches back to yesterday for access logs (one month: one prefix), not for vespa.log', () => {
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-12-02T00:30Z'))), ['202612']);
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-12-01T00:30Z', '2026-12-01T03:00Z'))), ['20261130', '20261201']);
    const v = at('vespa/vespa.log-2', win('2026-12-02T00:30Z'));
    assert.deepEqual(v.prefixes, [`${L}/vespa/vespa.log-2026-12-02`]);
  });
  test('an open end near midnight lists tomorrow too (a stamp may begin up to an hour ahead)', () => {
    const late: PlanWindow = { since: T('2026-12-02T22:00Z'), scope, now: T('2026-12-02T23:30Z') };
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', late)), ['202612']);
    const newYear: PlanWindow = { since: T('2026-12-31T22:00Z'), scope, now: T('2026-12-31T23:30Z') };
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', newYear)), ['20261231', '20270101']);
  });
  test('a closed window lists its day or its month; across months up to three days, then two months, then the stem', () => {
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-11-20T05:00Z', '2026-11-20T23:00Z'))), ['20261120']);
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-11-20T05:00Z', '2026-11-22T03:00Z'))), ['202611']);
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-11-29T05:00Z', '2026-12-01T03:00Z'))), [
      '20261129',
      '20261130',
      '20261201',
    ]);
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-11-20T05:00Z', '2026-11-28T03:00Z'))), ['202611']);
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-10-29T05:00Z', '2026-11-28T03:00Z'))), ['202610', '202611']);
    assert.equal(at('access/JsonAccessLog.default.2', win('2026-09-29T05:00Z', '2026-11-28T03:00Z')).action, 'flat');
    assert.equal(at('access/JsonAccessLog.default.2', { until: T('2026-11-28T03:00Z'), scope, now: NOW }).action, 'flat');
  });
  test('a window with an end lists days ahead of the clock too', () => {
    assert.deepEqual(days(at('access/JsonAccessLog.default.2', win('2026-12-19T05:00Z', '2026-12-19T09:00Z'))), ['20261219']);
    assert.equal(at('access/JsonAccessLog.default.20261219', win('2026-12-19T05:00Z', '2026-12-19T09:00Z')).action, 'flat');
    assert.equal(at('access/JsonAccessLog.default.20261219', win('2026-12-02T05:00Z')).action, 'skip');
  });
  test('a prefix that already holds a day is listed or skipped whole; another digit after a stem is read whole', () => {
    assert.equal(at('access/JsonAccessLog.default.20261202', win('2026-12-02T08:20Z')).action, 'flat');
    assert.equal(at('access/JsonAccessLog.default.20261102', win('2026-12-02T08:20Z')).action, 'skip');
    assert.equal(at('access/JsonAccessLog.default.2026130', win('2026-12-02T08:20Z')).action, 'skip');
    assert.equal(at('access/JsonAccessLog.default.1992', win('2026-12-02T08:20Z')).action, 'flat');
    // `default.x2…` may be a cluster named `default.x2`: grouped again, not skipped.
    assert.equal(at('access/JsonAccessLog.default.x2', win('2026-12-02T08:20Z')).action, 'stems');
  });
  test('older names without the cluster: `JsonAccessLog.2` is a stem whose days are listed', () => {
    assert.deepEqual(days(at('access/JsonAccessLog.2', win('2026-12-02T08:20Z'))), ['20261202']);
    assert.deepEqual(days(at('connection/ConnectionLog.2', win('2026-12-02T08:20Z'))), ['20261202']);
  });
  test('short of a stem: grouped again by the delimiter (a container named c2), a nested folder or a foreign name read whole', () => {
    const c2 = at('access/JsonAccessLog.c2', win('2026-12-02T08:20Z'));
    assert.equal(c2.action, 'stems');
    assert.equal(c2.stemDepth, 2);
    assert.equal(decideRollup(`${L}/access/JsonAccessLog.c2`, win('2026-12-02T08:20Z'), { ...parent, stemDepth: 3 }).action, 'flat');
    assert.equal(at('access/old/h2', win('2026-12-02T08:20Z')).action, 'flat');
    assert.equal(at('2', win('2026-12-02T08:20Z')).action, 'flat');
  });
  test('--kind and --host judge the prefix by its folder', () => {
    const w: PlanWindow = { ...win('2026-12-02T08:20Z'), scope: { layout: 'auto', ...scopeFilters({ kind: ['connection'] }) } };
    assert.equal(at('access/JsonAccessLog.default.2', w).action, 'skip');
    assert.deepEqual(days(at('connection/ConnectionLog.default.2', w)), ['20261202']);
  });
  test('decideFolder: HOST/logs/ and its log-type folders are read by stems with a window (not without, nor for generic)', () => {
    assert.equal(decideFolder(`${L}/`, win('2026-12-02T08:20Z'), undefined, 3).action, 'stems');
    assert.equal(decideFolder(`${L}/access/`, win('2026-12-02T08:20Z'), undefined, 3).action, 'stems');
    assert.equal(decideFolder(`${L}/`, { scope, now: NOW }, undefined, 3).action, 'flat');
    const generic = { ...win('2026-12-02T08:20Z'), scope: { layout: 'generic', ...scopeFilters({}) } };
    assert.notEqual(decideFolder(`${L}/`, generic, undefined, 1).action, 'stems');
  });
});
