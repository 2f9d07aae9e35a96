/**
 * The pruning planner's pure parts: time-folder readings (the binding rule), the folder decisions,
 * the --explain printer and the key order the walk merges by.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { folderBound, partialTimeFolder, spanInside, spanOverlaps } from '../src/layouts/time-folders.js';
import { decideFolder, decideRoot, MAX_PLAIN_DEPTH, MAX_SCOPE_DEPTH, type PlanWindow } from '../src/listing/plan.js';
import { possibleBelow, scopeExcludes, scopeWalksDeep, type Scope } from '../src/listing/scope.js';
import { scopeFilters } from '../src/filter.js';
import { planPrinter } from '../src/listing/explain.js';
import { compareKeys } from '../src/listing/walk.js';

const T = (iso: string) => Date.parse(iso);
const span = (a: string, b: string) => ({ start: T(a), end: T(b) });

describe('folderBound: the time folders of a path', () => {
  const cases: Array<[string, ReturnType<typeof folderBound>]> = [
    ['http_requests/20260105/20260105T170000Z_20260105T170500Z_ab.log.gz', span('2026-01-05', '2026-01-06')],
    ['http_requests/20260105/', span('2026-01-05', '2026-01-06')],
    ['logs/2026-01-05/x.json', span('2026-01-05', '2026-01-06')],
    ['123456/2026/01/05/17/f.json.gz', span('2026-01-05T17:00Z', '2026-01-05T18:00Z')],
    ['123456/2026/01/05/f.json.gz', span('2026-01-05', '2026-01-06')],
    ['123456/2026/01/f.json.gz', span('2026-01-01', '2026-02-01')],
    ['123456/2026/1/f.json.gz', undefined], // month must be two digits when it stands alone
    ['reports/2026/summary.pdf', undefined], // a lone year folder is not a reading
    ['table/year=2026/x', span('2026-01-01', '2027-01-01')],
    ['table/year=2026/month=1/x', span('2026-01-01', '2026-02-01')],
    ['table/year=2026/month=01/day=05/hour=17/x', span('2026-01-05T17:00Z', '2026-01-05T18:00Z')],
    ['table/YEAR=2026/MONTH=12/x', span('2026-12-01', '2027-01-01')],
    ['t/dt=2026-01-05/x', span('2026-01-05', '2026-01-06')],
    ['t/dt=20260105/hr=03/x', span('2026-01-05T03:00Z', '2026-01-05T04:00Z')],
    ['t/date=2026-01-05/hour=24/x', span('2026-01-05', '2026-01-06')], // hour 24 is no hour
    ['20260105/20260107/x', null], // contradictory folders: nothing matches a window
    ['2026/01/05/20260105/x', span('2026-01-05', '2026-01-06')],
    ['20260230/x', undefined], // no 30 February
    ['12345678/x', undefined],
    ['20260105', undefined], // a file name is never a folder
    ['a/20260105.log', undefined],
    ['h20260105/x', undefined], // part of a name
    ['', undefined],
    ['README.md', undefined],
  ];
  for (const [path, want] of cases) {
    test(JSON.stringify(path), () => assert.deepEqual(folderBound(path), want));
  }

  test('the bound can only shrink as a path grows (what pruning relies on), random paths', () => {
    const parts = [
      '2026',
      '01',
      '1',
      '05',
      '17',
      '20260105',
      '2026-01-06',
      'year=2026',
      'month=01',
      'day=05',
      'hour=17',
      'dt=2026-01-05',
      'x',
      'logs',
      '99',
      '12',
      '31',
      '2025',
    ];
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let i = 0; i < 3000; i++) {
      const segs = Array.from({ length: 1 + rnd(7) }, () => parts[rnd(parts.length)]);
      const key = `${segs.join('/')}/file`;
      const full = folderBound(key);
      for (let j = 1; j < segs.length; j++) {
        const p = folderBound(`${segs.slice(0, j).join('/')}/`);
        if (p === undefined) continue;
        if (p === null) {
          assert.equal(full, null, `${key}: prefix contradicts, key must too`);
          continue;
        }
        if (full === null) continue;
        assert.ok(
          full !== undefined && full.start >= p.start && full.end <= p.end,
          `${key}: bound ${JSON.stringify(full)} not within prefix bound ${JSON.stringify(p)}`,
        );
      }
    }
  });

  test('spanOverlaps / spanInside with open ends', () => {
    const d = span('2026-01-05', '2026-01-06');
    assert.equal(spanOverlaps(d, undefined, undefined), true);
    assert.equal(spanOverlaps(d, T('2026-01-06'), undefined), false); // end is exclusive
    assert.equal(spanOverlaps(d, undefined, T('2026-01-05')), false); // until is exclusive
    assert.equal(spanOverlaps(d, T('2026-01-05T23:59Z'), undefined), true);
    assert.equal(spanInside(d, T('2026-01-05'), T('2026-01-06')), true);
    assert.equal(spanInside(d, T('2026-01-05T00:01Z'), undefined), false);
  });

  test('partialTimeFolder: a year folder may lead to month folders', () => {
    assert.equal(partialTimeFolder('acct/2026/'), true);
    assert.equal(partialTimeFolder('acct/1234/'), false);
    assert.equal(partialTimeFolder('acct/logs/'), false);
  });
});

describe('decideFolder / decideRoot', () => {
  const w = { since: T('2026-01-05T16:00Z'), until: T('2026-01-05T18:00Z') };
  const cases: Array<[string, string, string]> = [
    ['lp/20260104/', 'skip', 'outside'],
    ['lp/20260106/', 'skip', 'outside'],
    ['lp/20260105/', 'walk', 'straddles'],
    ['a/2026/01/05/17/', 'flat', 'inside'],
    ['a/2026/01/05/18/', 'skip', 'outside'],
    ['t/year=2026/month=02/', 'skip', 'outside'],
    ['20260105/20260107/', 'skip', 'contradict'],
    ['acct/2026/', 'walk', 'year folder'],
    ['misc/', 'walk', 'looking'],
  ];
  test('a day folder the window covers a quarter of or more is read flat; a month is still walked', () => {
    const cases: Array<[string, { since?: number; until?: number }, string, string]> = [
      ['h/year=2026/month=01/day=05/', { since: T('2026-01-05T06:00Z') }, 'flat', 'mostly inside the window (75%)'],
      ['h/year=2026/month=01/day=05/', { since: T('2026-01-05T18:00Z') }, 'flat', 'mostly inside the window (25%)'],
      ['h/year=2026/month=01/day=05/', { since: T('2026-01-05T18:01Z') }, 'walk', 'straddles'],
      ['h/year=2026/month=01/day=05/', { until: T('2026-01-05T06:00Z') }, 'flat', '(25%)'],
      ['lp/20260105/', { since: T('2026-01-05T16:00Z'), until: T('2026-01-05T18:00Z') }, 'walk', 'straddles'],
      ['h/year=2026/month=01/', { since: T('2026-01-05T00:00Z') }, 'walk', 'straddles'],
      ['a/2026/01/05/17/', { since: T('2026-01-05T17:30Z') }, 'flat', '(50%)'],
    ];
    for (const [folder, win, action, reason] of cases) {
      const d = decideFolder(folder, win, undefined, 0);
      assert.equal(d.action, action, `${folder} ${JSON.stringify(win)}: ${d.reason}`);
      assert.ok(d.reason.includes(reason), `${folder}: ${d.reason}`);
    }
  });
  for (const [folder, action, why] of cases) {
    test(`${folder} → ${action}`, () => {
      const d = decideFolder(folder, w, undefined, 0);
      assert.equal(d.action, action);
      assert.match(d.reason, new RegExp(why));
    });
  }

  test('no window: always one flat listing', () => {
    assert.equal(decideFolder('lp/20260104/', {}, undefined, 0).action, 'flat');
    assert.equal(decideRoot('', {}).action, 'flat');
  });

  test('plain folders are walked only a few levels deep, then read flat', () => {
    let depth = 0; // the location itself is level 0
    const seen: string[] = [];
    for (const f of ['acme/', 'acme/search/', 'acme/search/prod/', 'acme/search/prod/h1/']) {
      const d = decideFolder(f, w, undefined, depth);
      seen.push(d.action);
      depth = d.plainDepth;
    }
    assert.equal(MAX_PLAIN_DEPTH, 2);
    assert.deepEqual(seen, ['walk', 'walk', 'flat', 'flat']);
  });

  test('a folder under a straddling time folder that adds no time counts as plain', () => {
    const day = folderBound('lp/20260105/');
    const d = decideFolder('lp/20260105/sub/', w, day, 0);
    assert.equal(d.action, 'walk');
    assert.equal(d.plainDepth, 1);
  });

  test('decideRoot: the location itself may be a time folder', () => {
    assert.equal(decideRoot('lp/20260101/', w).action, 'skip');
    assert.equal(decideRoot('lp/20260105/2026010517', w).action, 'walk');
    assert.equal(decideRoot('lp/', w).action, 'walk');
    assert.equal(decideRoot('', w).action, 'walk');
  });
});

describe('scope: which kinds and hosts the keys below a folder can have', () => {
  const scope = (layout: string, kind?: string[], host?: string[]): Scope => ({ layout, ...scopeFilters({ kind, host }) });

  test('possibleBelow under auto: anything, except at and below Vespa log folders', () => {
    const any = possibleBelow('acme/search/prod/', 'auto');
    assert.deepEqual(any.host, { any: true });
    assert.ok(any.kinds.has('access') && any.kinds.has('events') && any.kinds.has('probe') && any.kinds.has('folder'));
    const access = possibleBelow('acme/search/prod/h1/logs/access/', 'auto');
    assert.equal(access.host, 'h1');
    assert.ok(access.kinds.has('access') && !access.kinds.has('connection') && !access.kinds.has('dump'));
    assert.ok(access.kinds.has('logs') && access.kinds.has('events') && access.kinds.has('heapdump')); // non-Vespa files beside the logs
    const nested = possibleBelow('acme/search/prod/h1/logs/access/old/', 'auto');
    assert.deepEqual(nested.host, { none: true });
    assert.ok(!nested.kinds.has('access'));
  });

  test('possibleBelow under forced layouts: only Vespa gives hosts; a layout falls back to generic kinds', () => {
    assert.deepEqual(possibleBelow('x/', 'cloudflare').host, { none: true });
    assert.deepEqual([...possibleBelow('x/', 'cloudflare').kinds].sort(), ['challenge', 'folder', 'heapdump', 'jfr', 'logs', 'probe']);
    assert.deepEqual([...possibleBelow('h/logs/vespa/', 'vespa').kinds].sort(), ['folder', 'heapdump', 'jfr', 'logs', 'probe', 'vespa']);
    assert.equal(possibleBelow('h/logs/vespa/', 'VESPA').host, 'h');
  });

  const cases: Array<[string, Scope, string | undefined]> = [
    ['acme/search/prod/h2.x/logs/access/', scope('auto', undefined, ['h1*']), 'its Vespa host h2.x does not match --host'],
    ['acme/search/prod/H1.x/logs/access/', scope('auto', undefined, ['h1*']), undefined], // --host is case-insensitive
    ['acme/search/prod/h1.x/logs/access/', scope('auto', undefined, ['h1*', 'h2*']), undefined], // --host h1* --host h2*
    ['acme/search/prod/h1.x/logs/access/', scope('auto', undefined, ['{h1*,h2*}']), undefined], // one glob, its comma kept
    ['acme/search/prod/h2.x/', scope('auto', undefined, ['h1*']), undefined], // a host folder may hold any tree
    ['acme/search/prod/h2.x/logs/', scope('auto', undefined, ['h1*']), undefined],
    ['acme/search/prod/h1.x/logs/access/old/', scope('auto', undefined, ['h1*']), 'no key below it can have a host (--host)'],
    ['acme/', scope('cloudflare', undefined, ['h1*']), 'no key below it can have a host (--host)'],
    ['', scope('generic', undefined, ['*']), 'no key below it can have a host (--host)'],
    ['acme/search/prod/h1/logs/connection/', scope('auto', ['access']), 'no key below it can be --kind access'],
    ['acme/search/prod/h1/logs/access/', scope('auto', ['access']), undefined],
    ['acme/search/prod/h1/logs/connection/', scope('auto', ['access', 'connection']), undefined],
    ['acme/search/prod/h1/logs/connection/', scope('auto', ['logs']), undefined], // a README there is kind logs
    ['acme/search/prod/h1/logs/connection/', scope('auto', ['events']), undefined], // an Amplitude file could sit there
    ['acme/search/prod/h1/logs/connection/', scope('auto', ['probe']), undefined],
    ['acme/search/prod/h1/logs/access/old/', scope('auto', ['access']), 'no key below it can be --kind access'],
    ['acme/search/prod/h1/logs/access/old/', scope('vespa', ['heapdump']), undefined], // generic still gives heapdump
    ['x/', scope('amplitude', ['access']), 'no key below it can be --kind access'],
    ['x/', scope('amplitude', ['heapdump']), undefined],
    ['x/', scope('auto', []), undefined],
  ];
  for (const [folder, s, want] of cases)
    test(`${JSON.stringify(folder)} ${s.layout} kinds=${[...s.kinds]} host=${!!s.hostMatch} → ${want ?? 'may match'}`, () =>
      assert.equal(scopeExcludes(folder, s)?.reason, want));

  test('scopeWalksDeep: only when some Vespa log folder could be skipped', () => {
    assert.equal(scopeWalksDeep(scope('auto')), false);
    assert.equal(scopeWalksDeep(scope('auto', undefined, ['h1'])), true);
    assert.equal(scopeWalksDeep(scope('auto', ['access'])), true);
    assert.equal(scopeWalksDeep(scope('auto', ['logs'])), false);
    assert.equal(scopeWalksDeep(scope('auto', ['access', 'events'])), false);
    assert.equal(scopeWalksDeep(scope('cloudflare', undefined, ['h1'])), false); // the root is skipped instead
    assert.equal(scopeWalksDeep(scope('dated', ['access'])), false);
  });

  test('decideFolder with a scope: walks down to the log folders, skips or reads each', () => {
    const w: PlanWindow = { scope: scope('auto', undefined, ['h1*']) };
    const actions: string[] = [];
    let depth = 0;
    for (const f of ['acme/', 'acme/search/', 'acme/search/prod/', 'acme/search/prod/h2/', 'acme/search/prod/h2/logs/']) {
      const d = decideFolder(f, w, undefined, depth);
      actions.push(d.action);
      depth = d.plainDepth;
    }
    assert.equal(MAX_SCOPE_DEPTH, 5);
    assert.deepEqual(actions, ['walk', 'walk', 'walk', 'walk', 'walk']);
    const skip = decideFolder('acme/search/prod/h2/logs/access/', w, undefined, depth);
    assert.equal(skip.action, 'skip');
    assert.equal(skip.run, 'their Vespa hosts do not match --host');
    assert.equal(decideFolder('acme/search/prod/h1/logs/access/', w, undefined, depth).action, 'flat');
    assert.equal(decideFolder('acme/search/prod/h2/logs/other/', w, undefined, depth).action, 'flat'); // depth 6
    assert.equal(decideFolder('a/b/c/d/e/f/', w, undefined, 5).action, 'flat');
  });

  test('decideFolder with a scope and a window: time skips still apply, a day folder inside it is read flat', () => {
    const w: PlanWindow = { since: T('2026-01-05T00:00Z'), until: T('2026-01-06T00:00Z'), scope: scope('auto', ['access']) };
    assert.equal(decideFolder('b/20260104/', w, undefined, 0).action, 'skip');
    assert.equal(decideFolder('b/20260105/', w, undefined, 0).action, 'flat');
    assert.equal(decideFolder('b/2026/01/', w, undefined, 0).action, 'walk'); // straddles
    assert.equal(decideFolder('b/20260105/h/logs/vespa/', w, undefined, 3).action, 'skip');
    assert.equal(decideRoot('t/a/i/h/logs/vespa/', w).action, 'skip');
    assert.equal(decideRoot('t/a/i/h/logs/vespa/vespa.log', w).action, 'skip'); // a partial name below the folder
    assert.equal(decideRoot('t/a/i/h/logs/vespa', w).action, 'stems'); // HOST/logs/: its stems, by the stamp delimiter
    // Without a window a time folder is read flat, not walked for Vespa folders it would not hold.
    const noWindow: PlanWindow = { scope: w.scope };
    assert.equal(decideFolder('cf/20260105/', noWindow, undefined, 0).action, 'flat');
    assert.equal(decideFolder('t/year=2026/', noWindow, undefined, 0).action, 'flat');
    assert.equal(decideFolder('b/20260105/t/', w, folderBound('b/20260105/'), 1).action, 'flat');
  });
});

describe('planPrinter', () => {
  test('folds sibling skips, prints totals', () => {
    const lines: string[] = [];
    const p = planPrinter((l) => lines.push(l));
    const w = { since: T('2026-01-05T20:00Z') };
    p.onPlan({ folder: 'lp/', decision: decideRoot('lp/', w) });
    for (const f of ['lp/20260101/', 'lp/20260102/', 'lp/20260103/']) p.onPlan({ folder: f, decision: decideFolder(f, w, undefined, 0) });
    p.onPlan({ folder: 'lp/20260105/', decision: decideFolder('lp/20260105/', w, undefined, 0) });
    p.end({ requests: 2, scanned: 10, count: 3 });
    assert.deepEqual(lines, [
      'plan: walk lp/ (looking for time folders)',
      'plan: skip 3 folders lp/20260101/ … lp/20260103/ (their time folders are outside the window)',
      'plan: walk lp/20260105/ (time folder 2026-01-05..2026-01-06 straddles the window)',
      'plan: 2 LIST requests, 10 keys scanned, 3 matched',
    ]);
  });

  test('a run of --host skips is summarised by its own reason, not by time folders', () => {
    const lines: string[] = [];
    const p = planPrinter((l) => lines.push(l));
    const w: PlanWindow = { scope: { layout: 'auto', ...scopeFilters({ host: ['h1'] }) } };
    for (const f of ['p/h2/logs/access/', 'p/h2/logs/connection/']) p.onPlan({ folder: f, decision: decideFolder(f, w, undefined, 4) });
    p.onPlan({ folder: 'p/h2/logs/x/', decision: decideFolder('p/h2/logs/x/', w, undefined, 4) });
    p.onPlan({ folder: 'p/h3/logs/access/', decision: decideFolder('p/h3/logs/access/', w, undefined, 4) });
    p.end({ requests: 1, scanned: 0, count: 0 });
    assert.deepEqual(lines, [
      'plan: skip 2 folders p/h2/logs/access/ … p/h2/logs/connection/ (their Vespa hosts do not match --host)',
      'plan: walk p/h2/logs/x/ (looking for Vespa log folders for --kind/--host)',
      'plan: skip p/h3/logs/access/ (its Vespa host h3 does not match --host)',
      'plan: 1 LIST request, 0 keys scanned, 0 matched',
    ]);
  });
});

describe('compareKeys: the services order keys by UTF-8 bytes', () => {
  const cases: Array<[string, string, number]> = [
    ['a.txt', 'a/', -1], // '.' < '/': a file named a.txt comes before folder a/
    ['a/', 'a0', -1],
    ['a/', 'a/', 0],
    ['é', 'z', 1],
    ['\uffff', '\u{1F600}', -1], // UTF-16 code units would say the opposite
  ];
  for (const [a, b, want] of cases)
    test(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`, () => assert.equal(Math.sign(compareKeys(a, b)), want));
});
