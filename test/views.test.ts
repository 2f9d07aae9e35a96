/**
 * Pure table tests for the terminal table, bar, summary and histogram modules: no emulator needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { fitWidths, renderTable, truncate, type Column } from '../src/output/table.js';
import { bar } from '../src/output/bars.js';
import { SummaryBuilder } from '../src/views/summary.js';
import { HistogramBuilder } from '../src/views/histogram.js';
import { renderHistogram, renderSummary } from '../src/views/render.js';
import type { Entry } from '../src/filter.js';

const plain = new Chalk({ level: 0 });

function entry(key: string, iso: string, size: number, kind = 'logs', host?: string): Entry {
  const t = new Date(iso);
  return { key, size, lastModified: t, time: t, timeSource: 'key', facts: { layout: 'test', kind, host } };
}

test('truncate: end and middle cuts, exact widths', () => {
  const cases: [string, number, 'end' | 'middle', string][] = [
    ['abcdef', 6, 'end', 'abcdef'],
    ['abcdef', 5, 'end', 'abcd…'],
    ['abcdef', 5, 'middle', 'ab…ef'],
    ['tenant/app/host1/logs/access/JsonAccessLog.default.20260105170000.zst', 20, 'middle', 'tenant/ap…170000.zst'],
    ['abc', 1, 'end', '…'],
    ['abc', 0, 'end', ''],
  ];
  for (const [s, w, mode, want] of cases) assert.equal(truncate(s, w, mode), want, `${s} ${w} ${mode}`);
});

test('fitWidths: shrinkable columns give way first, then below their minimum, then the fixed ones', () => {
  const cols: Column[] = [{ header: 'TIME' }, { header: 'SIZE', align: 'right' }, { header: 'KEY', shrink: 'middle', min: 10 }];
  const rows = [['2026-01-05 17:00:00', '1.0 MiB', 'x'.repeat(100)]];
  assert.deepEqual(fitWidths(cols, rows), [19, 7, 100]);
  assert.deepEqual(fitWidths(cols, rows, 80), [19, 7, 80 - 19 - 7 - 4]);
  // Below every minimum the shrinkable column goes on shrinking, then the fixed ones: never wider than asked.
  assert.deepEqual(fitWidths(cols, rows, 40), [19, 7, 10]);
  assert.deepEqual(fitWidths(cols, rows, 32), [19, 7, 2]);
  const narrow = fitWidths(cols, rows, 20);
  assert.equal(narrow.reduce((a, b) => a + b, 0) + 4, 20);
  assert.deepEqual(narrow, [8, 7, 1]);
  // Wide characters take two columns, combining marks none: cuts and padding count columns.
  assert.equal(truncate('日本語のキー.log', 7, 'end'), '日本語…');
  assert.equal(truncate('e\u0301e\u0301e\u0301e\u0301', 3, 'end'), 'e\u0301e\u0301…');
});

test('renderTable: header aligned with its columns at 80 and 120 columns', () => {
  const cols: Column[] = [
    { header: 'TIME (UTC)' },
    { header: 'SIZE', align: 'right' },
    { header: 'KIND' },
    { header: 'KEY', shrink: 'middle' },
  ];
  const rows = [
    ['2026-01-05 17:00:00', '12 KiB', 'access', 'host-1/logs/access/JsonAccessLog.default.20260105170000.zst'],
    ['2026-01-05 18:00:00', '1.5 MiB', 'connection', 'host-1/logs/connection/ConnectionLog.default.20260105180000.zst'],
  ];
  const at120 = renderTable(cols, rows, 120);
  assert.deepEqual(at120, [
    'TIME (UTC)              SIZE  KIND        KEY',
    '2026-01-05 17:00:00   12 KiB  access      host-1/logs/access/JsonAccessLog.default.20260105170000.zst',
    '2026-01-05 18:00:00  1.5 MiB  connection  host-1/logs/connection/ConnectionLog.default.20260105180000.zst',
  ]);
  const at80 = renderTable(cols, rows, 80);
  assert.deepEqual(at80, [
    'TIME (UTC)              SIZE  KIND        KEY',
    '2026-01-05 17:00:00   12 KiB  access      host-1/logs/access….20260105170000.zst',
    '2026-01-05 18:00:00  1.5 MiB  connection  host-1/logs/connec….20260105180000.zst',
  ]);
  assert.deepEqual(
    at80.map((l) => [...l].length),
    [45, 80, 80],
  );
});

test('bar: eighths, never invisible, full width at max', () => {
  assert.equal(bar(10, 10, 4), '████');
  assert.equal(bar(5, 10, 4), '██');
  assert.equal(bar(1, 1000, 4), '▏');
  assert.equal(bar(0, 10, 4), '');
  assert.equal(bar(3, 8, 1), '▍');
});

test('summary: per kind (by size), host, day (in order); totals', () => {
  const b = new SummaryBuilder();
  b.add(entry('a', '2026-01-05T17:00:00Z', 100, 'access', 'h1'));
  b.add(entry('b', '2026-01-05T23:59:59Z', 300, 'connection', 'h2'));
  b.add(entry('c', '2026-01-04T01:00:00Z', 50, 'access', 'h1'));
  b.add(entry('d', '2026-01-06T00:00:00Z', 7, 'heapdump'));
  const s = b.build();
  assert.deepEqual(s.total, { objects: 4, bytes: 457 });
  assert.deepEqual(s.kinds, [
    { name: 'connection', objects: 1, bytes: 300 },
    { name: 'access', objects: 2, bytes: 150 },
    { name: 'heapdump', objects: 1, bytes: 7 },
  ]);
  assert.deepEqual(s.hosts, [
    { name: 'h2', objects: 1, bytes: 300 },
    { name: 'h1', objects: 2, bytes: 150 },
  ]);
  assert.deepEqual(
    s.days.map((d) => [d.name, d.objects, d.bytes]),
    [
      ['2026-01-04', 1, 50],
      ['2026-01-05', 2, 400],
      ['2026-01-06', 1, 7],
    ],
  );
  const lines = renderSummary(s, plain, 60);
  assert.equal(lines[0], 'KIND        OBJECTS   SIZE');
  assert.match(lines[1], /^connection {8}1 {2}300 B {2}█+$/);
  assert.ok(
    lines.every((l) => [...l].length <= 60),
    lines.join('\n'),
  );
  assert.equal(lines.at(-1), '4 objects, 457 B');
});

test('histogram: hourly buckets over the window with the empty hours marked', () => {
  const h = new HistogramBuilder();
  h.add(entry('a', '2026-01-05T17:05:00Z', 10));
  h.add(entry('b', '2026-01-05T17:55:00Z', 10));
  h.add(entry('c', '2026-01-05T19:00:00Z', 5));
  const out = h.build({ since: new Date('2026-01-05T17:00:00Z'), until: new Date('2026-01-05T21:00:00Z') });
  assert.equal(out.bucket, 'hour');
  assert.deepEqual(
    out.buckets.map((b) => [b.start, b.objects, b.bytes]),
    [
      ['2026-01-05T17:00:00.000Z', 2, 20],
      ['2026-01-05T18:00:00.000Z', 0, 0],
      ['2026-01-05T19:00:00.000Z', 1, 5],
      ['2026-01-05T20:00:00.000Z', 0, 0],
    ],
  );
  assert.deepEqual(out.empty, ['2026-01-05T18:00:00.000Z', '2026-01-05T20:00:00.000Z']);
  assert.equal(out.outside, 0);
  const lines = renderHistogram(out, plain, 50);
  assert.deepEqual(lines, [
    'HOUR (UTC)        OBJECTS  SIZE',
    `2026-01-05 17:00        2  20 B  ${'█'.repeat(17)}`,
    '2026-01-05 18:00        0     -  · empty',
    `2026-01-05 19:00        1   5 B  ${'█'.repeat(8)}▌`,
    '2026-01-05 20:00        0     -  · empty',
    '',
    '4 hours from 2026-01-05 17:00 to 2026-01-05 21:00 UTC: 2 of 4 hours empty',
  ]);
});

test('histogram: long spans switch to days; no window spans the entries', () => {
  const h = new HistogramBuilder();
  h.add(entry('a', '2026-01-01T10:00:00Z', 1));
  h.add(entry('b', '2026-01-20T10:00:00Z', 1));
  const out = h.build({});
  assert.equal(out.bucket, 'day');
  assert.equal(out.buckets.length, 20);
  assert.equal(out.from, '2026-01-01T00:00:00.000Z');
  assert.equal(out.to, '2026-01-21T00:00:00.000Z');
  assert.equal(out.empty.length, 18);
  const forcedHour = h.build({}, 'hour');
  assert.equal(forcedHour.buckets.length, 19 * 24 + 1);
});

test('progress: resumed bytes count as done, never as rate; ETA waits for data and never sits at 0s', async () => {
  const { ProgressModel, progressLine } = await import('../src/output/progress.js');
  let t = 0;
  const m = new ProgressModel(() => t);
  m.planned(4, 400 * 1024 * 1024);
  m.resumed(100 * 1024 * 1024);
  assert.equal(progressLine('pull', m), 'pull  25% 100 MiB/400 MiB · 0/4 files · resuming 1 file (100 MiB on disk)');
  // 1 s at 10 MiB/s: a rate, but no ETA yet (too early to say).
  for (let i = 0; i < 10; i++) {
    t += 100;
    m.addBytes(1024 * 1024);
  }
  assert.equal(m.bytesPerSecond(), 10 * 1024 * 1024);
  assert.equal(m.etaMs(), undefined);
  t += 1000;
  m.addBytes(10 * 1024 * 1024);
  m.fileDone('downloaded');
  m.fileDone('skipped');
  m.fileDone('failed');
  // 280 MiB left at 10 MiB/s.
  assert.equal(Math.round(m.etaMs()!), 28_000);
  assert.equal(
    progressLine('pull', m),
    'pull  30% 120 MiB/400 MiB · 3/4 files (1 failed, 1 skipped) · resuming 1 file (100 MiB on disk) · 10 MiB/s · ETA 28s',
  );
  assert.equal(
    progressLine('pull', m, { barWidth: 10 }),
    'pull  30% ███        120 MiB/400 MiB · 3/4 files (1 failed, 1 skipped) · resuming 1 file (100 MiB on disk) · 10 MiB/s · ETA 28s',
  );
  // All bytes in but a file not yet renamed: no "ETA 0s".
  t += 500;
  m.addBytes(280 * 1024 * 1024);
  assert.equal(m.etaMs(), undefined);
  assert.match(
    progressLine('pull', m),
    /^pull 100% 400 MiB\/400 MiB · 3\/4 files \(1 failed, 1 skipped\) · resuming 1 file \(100 MiB on disk\) · \d+ MiB\/s · verifying…$/,
  );
});

test('output format: -o and its aliases; conflicts and unknown formats are usage errors', async () => {
  const { resolveOutputFormat } = await import('../src/output/output-format.js');
  const { UsageError } = await import('../src/errors.js');
  assert.equal(resolveOutputFormat({}), 'table');
  assert.equal(resolveOutputFormat({ json: true }), 'json');
  assert.equal(resolveOutputFormat({ output: 'NDJSON' }), 'ndjson');
  assert.equal(resolveOutputFormat({ output: 'json', json: true }), 'json');
  const bad: [object, string, string][] = [
    [{ json: true, ndjson: true }, 'conflicting output formats: --json and --ndjson', 'choose one output format'],
    [{ output: 'csv', json: true }, 'conflicting output formats: -o csv and --json', 'choose one output format'],
    [{ output: 'yaml' }, 'unknown output format "yaml"', 'use -o with one of: table, json, ndjson, csv'],
  ];
  for (const [flags, message, hint] of bad) {
    assert.throws(
      () => resolveOutputFormat(flags),
      (e: unknown) => e instanceof UsageError && e.message === message && e.hint === hint,
    );
  }
  assert.throws(
    () => resolveOutputFormat({ csv: true }, ['table', 'json']),
    (e: unknown) => e instanceof UsageError && e.message === '--csv is not an output of this command',
  );
});
