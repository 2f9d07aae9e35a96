/**
 * What a person sees (issue #12) through the spawned CLI on both emulators: the terminal table at
 * 80 and 120 columns (ARCHIVE_FORCE_TTY + COLUMNS stand in for a terminal), --sort/--limit, -o and
 * its conflicts, --summary/--histogram as charts and JSON, unknown kinds, data commands taking log
 * objects only (challenge files and validate probes left out and counted), and a location that
 * holds nothing (exit 4) versus filters that match nothing (exit 0 with a note).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { bothWays, runInProcess } from './support/io.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { KIND_NAMES } from '../src/layouts/kinds.js';

const DIR = 'http_requests/20260105';
const log = (h: number, m: number) =>
  `${DIR}/20260105T${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}00Z_20260105T${String(h).padStart(2, '0')}${String(m + 5).padStart(2, '0')}00Z_deadbeef${h}${m}.log.gz`;
const LOGS = [log(17, 0), log(17, 5), log(19, 0)];
const CHALLENGE = 'http_requests/ownership-challenge-1a2b3c.txt';
const PROBE = 'http_requests/.archive-validate/k9/probe.txt';
/** Object i holds (i + 1) × 40 distinct records, so sizes grow with i (for --sort size). */
const body = (k: string, i: number) =>
  Array.from(
    { length: (i + 1) * 40 },
    (_, n) => `${JSON.stringify({ ClientRequestURI: `/${k.length}`, RayID: `${i}-${n * 7919}` })}\n`,
  ).join('');
const WINDOW = ['--since', '2026-01-05T17:00:00Z', '--until', '2026-01-05T21:00:00Z'];

for (const name of PROVIDERS) {
  describe(`list views and data-only commands (${name})`, () => {
    let p: ProviderFixture;
    let tmp: string;
    before(async () => {
      p = await startProvider(name);
      tmp = await mkdtemp(join(tmpdir(), 'archive-views-'));
      await p.seed('cflogs', [
        ...LOGS.map((key, i) => ({ key, body: gzipSync(body(key, i)) })),
        { key: CHALLENGE, body: 'token-1a2b3c\n' },
        { key: PROBE, body: 'probe' },
      ]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });
    const tty = (cols: number) => ({ ...p.env, ARCHIVE_FORCE_TTY: '1', COLUMNS: String(cols) });

    test('the spawned binary draws the same terminal table and views as the in-process run', async () => {
      for (const argv of [
        ['list', p.loc('cflogs', 'http_requests/'), '--kind', 'logs', '--sort', 'time'],
        ['list', p.loc('cflogs'), '--summary'],
        ['list', p.loc('cflogs'), '--json', '--ndjson'],
      ]) {
        const { inProcess, spawned } = await bothWays(argv, { env: tty(80) });
        assert.deepEqual(
          { code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr },
          { code: spawned.code, stdout: spawned.stdout, stderr: spawned.stderr },
          argv.join(' '),
        );
      }
    });

    test('terminal table: keys relative to the location, header aligned, fitted to 80 and 120 columns', async () => {
      for (const cols of [80, 120]) {
        const r = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), '--kind', 'logs', '--sort', 'time'], { env: tty(cols) });
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split('\n');
        assert.equal(lines.length, 5, r.stdout);
        assert.match(lines[0], /^TIME \(UTC\) +SIZE {2}KIND {2}KEY$/);
        const keyAt = lines[0].indexOf('KEY');
        for (const l of lines) assert.ok([...l].length <= cols, `${cols}: ${l}`);
        // Every row's key starts under the KEY header, and its size ends under SIZE.
        const keys = lines.slice(1, 4).map((l) => l.slice(keyAt));
        for (const l of lines.slice(1, 4)) {
          assert.equal(l.slice(keyAt - 6, keyAt), 'logs  ', l);
          assert.match(l.slice(0, lines[0].indexOf('SIZE') + 4), /^2026-01-05 1\d:\d\d:00 +\d+(\.\d)? (B|KiB)$/, l);
        }
        if (cols === 120)
          assert.deepEqual(
            keys,
            LOGS.map((k) => k.slice('http_requests/'.length)),
          );
        else
          for (const [i, k] of keys.entries()) assert.ok(k.includes('…') && k.startsWith('20260105/') && k.endsWith(LOGS[i].slice(-16)), k);
        assert.match(lines[4], /^3 objects, \d+(\.\d)? (B|KiB) \(of 5 scanned\)$/);
      }
    });

    test('off a terminal: full keys, no header; --limit and --sort size; -o csv', async () => {
      const r = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), '--sort', 'size', '--limit', '2', '--kind', 'logs'], {
        env: p.env,
      });
      assert.equal(r.code, 0, r.stderr);
      const keys = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s+/).at(-1));
      assert.deepEqual(keys, [LOGS[2], LOGS[1]]);
      const csv = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), '-o', 'csv', '--kind', 'challenge'], { env: p.env });
      assert.equal(csv.code, 0, csv.stderr);
      const [head, row, ...rest] = csv.stdout.trimEnd().split('\n');
      assert.equal(head, 'key,size,lastModified,time,timeSource,kind,host,etag');
      assert.deepEqual(rest, []);
      assert.ok(row.startsWith(`${CHALLENGE},13,`) && row.includes(',modified,challenge,,'), row);
    });

    test('list shows the true kinds of challenge files and probes', async () => {
      const r = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), '--ndjson'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const kinds = Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .map((o) => [o.key, o.kind]),
      );
      assert.deepEqual(kinds, { [LOGS[0]]: 'logs', [LOGS[1]]: 'logs', [LOGS[2]]: 'logs', [CHALLENGE]: 'challenge', [PROBE]: 'probe' });
    });

    test('conflicting or unknown output and kinds are usage errors naming the fix', async () => {
      const cases: [string[], string][] = [
        [['--json', '--ndjson'], 'archive: conflicting output formats: --json and --ndjson\nhint: choose one output format\n'],
        [['-o', 'csv', '--json'], 'archive: conflicting output formats: -o csv and --json\nhint: choose one output format\n'],
        [
          ['--urls', '--json'],
          'archive: --urls prints object URLs only: it cannot be combined with another output format\nhint: drop -o/--json/--ndjson/--csv, or --urls\n',
        ],
        [['--kind', 'heapdumps'], `archive: unknown kind "heapdumps"\nhint: use one of: ${KIND_NAMES.join(', ')}\n`],
        [
          ['--histogram', 'week'],
          'archive: --histogram "week": expected hour or day\nhint: or give --histogram alone to choose by the span\n',
        ],
      ];
      for (const [args, stderr] of cases) {
        const r = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), ...args], { env: p.env });
        assert.equal(r.code, 2, args.join(' '));
        assert.equal(r.stderr, stderr, args.join(' '));
        assert.equal(r.stdout, '');
      }
    });

    test('--histogram: hourly buckets across the window, the empty hours marked; JSON for scripts', async () => {
      const r = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), ...WINDOW, '--histogram'], { env: tty(80) });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^HOUR \(UTC\) {8}OBJECTS +SIZE$/);
      const sizeEnd = lines[0].length;
      assert.match(lines[1], /^2026-01-05 17:00 {8}2 +\d+(\.\d)? (B|KiB) {2}█+$/);
      assert.match(lines[2], /^2026-01-05 18:00 {8}0 +- {2}· empty$/);
      assert.match(lines[3], /^2026-01-05 19:00 {8}1 +\d+(\.\d)? (B|KiB) {2}█+$/);
      assert.match(lines[4], /^2026-01-05 20:00 {8}0 +- {2}· empty$/);
      for (const l of lines.slice(1, 5)) assert.equal(l[sizeEnd], ' ', `size column ends under SIZE: ${l}`);
      // The busier hour has the longer bar.
      assert.ok(lines[1].split('█').length > lines[3].split('█').length);
      assert.equal(lines[6], '4 hours from 2026-01-05 17:00 to 2026-01-05 21:00 UTC: 2 of 4 hours empty');
      const js = await runInProcess(['list', p.loc('cflogs', 'http_requests/'), ...WINDOW, '--histogram', '--summary', '--json'], {
        env: p.env,
      });
      assert.equal(js.code, 0, js.stderr);
      const doc = JSON.parse(js.stdout);
      assert.deepEqual(doc.histogram.empty, ['2026-01-05T18:00:00.000Z', '2026-01-05T20:00:00.000Z']);
      assert.deepEqual(
        doc.histogram.buckets.map((b: { objects: number }) => b.objects),
        [2, 0, 1, 0],
      );
      assert.deepEqual(
        doc.summary.kinds.map((k: { name: string; objects: number }) => [k.name, k.objects]),
        [['logs', 3]],
      );
      assert.deepEqual(
        doc.summary.days.map((d: { name: string }) => d.name),
        ['2026-01-05'],
      );
    });

    test('cat streams log objects only: the challenge and the probe are left out and counted', async () => {
      const r = await runInProcess(['cat', p.loc('cflogs', 'http_requests/')], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, LOGS.map((k, i) => body(k, i)).join(''));
      assert.equal(r.stderr, 'left out 2 non-log objects (challenge 1, probe 1); --kind includes them\n');
      const asked = await runInProcess(['cat', p.loc('cflogs', CHALLENGE)], { env: p.env });
      assert.equal(asked.code, 0, asked.stderr);
      assert.equal(asked.stdout, 'token-1a2b3c\n', 'an exact key is always taken');
      const byKind = await runInProcess(['cat', p.loc('cflogs', 'http_requests/'), '--kind', 'challenge'], { env: p.env });
      assert.equal(byKind.stdout, 'token-1a2b3c\n');
    });

    test('pull leaves out the challenge and the probe, and says so', async () => {
      const dest = join(tmp, `pull-${name}`);
      const r = await runInProcess(['pull', p.loc('cflogs', 'http_requests/'), dest], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await readdir(join(dest, '20260105'))).sort(), LOGS.map((k) => k.slice(DIR.length + 1)).sort());
      assert.deepEqual((await readdir(dest)).sort(), ['20260105']);
      assert.equal(r.stderr.split('\n').at(-2), 'left out 2 non-log objects (challenge 1, probe 1); --kind includes them');
      // Right after a complete pull, --dry-run says every file would be skipped.
      const dry = await runInProcess(['pull', p.loc('cflogs', 'http_requests/'), dest, '--dry-run'], { env: p.env });
      assert.equal(dry.code, 0, dry.stderr);
      const lines = dry.stdout.trimEnd().split('\n');
      assert.deepEqual(
        lines,
        LOGS.map((k) => `would skip  ${k} → ${join(dest, k.slice('http_requests/'.length))} (complete)`),
      );
      assert.match(dry.stderr, /^0 objects \(0 B\) would be pulled, 3 already complete in \S+/m);
    });

    test('nothing at the location: cat and pull exit 4 naming it; filters matching nothing exit 0 with a note', async () => {
      const dest = join(tmp, `empty-${name}`);
      for (const args of [
        ['cat', p.loc('cflogs', 'nothing/here/')],
        ['pull', p.loc('cflogs', 'nothing/here/'), dest],
      ]) {
        const r = await runInProcess(args, { env: p.env });
        assert.equal(r.code, 4, r.stderr);
        const [first, hint] = r.stderr.trimEnd().split('\n');
        assert.match(first, /^archive: nothing under .*cflogs\/nothing\/here\/$/);
        assert.equal(hint, 'hint: check the prefix; `archive list` of "nothing/" shows what is there');
        assert.equal(r.stdout, '');
      }
      await assert.rejects(readdir(dest), { code: 'ENOENT' }, 'a failed pull made no DEST');
      const none = await runInProcess(['cat', p.loc('cflogs', 'http_requests/'), '--since', '2026-03-01', '--until', '2026-03-02'], {
        env: p.env,
      });
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, '');
      assert.equal(none.stderr, 'no object matches the filters\n');
    });
  });
}

test('--version names the Node.js and the zstd decoder', async () => {
  // Spawned on purpose: the version line is what the binary itself prints at start-up.
  const r = await runCli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^archive \d+\.\d+\.\d+$/);
  assert.equal(lines[1], `node ${process.versions.node} (${process.platform}-${process.arch})`);
  assert.match(
    lines[2],
    /^zstd decoder: (native \(Node's zlib\)|fzstd for small windows, \S+ for large ones|fzstd \(JavaScript; frames with windows up to 64 MiB\))$/,
  );
});
