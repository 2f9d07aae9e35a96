/**
 * `-o/--output` on containers, pull and sas inspect (issue #12 item 8), in-process against both
 * emulators: every format's exact output, `--json`/`--ndjson` as aliases, and conflicting or
 * unknown formats as usage errors (exit 2, exact stderr) that touch nothing. Also the run's clock
 * (io.now) that relative times count from.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './support/io.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { sha256, walk } from './support/files.js';

const CONFLICT = (a: string, b: string) => `archive: conflicting output formats: ${a} and ${b}\nhint: choose one output format\n`;
const BODY_A = 'alpha line\n';
const BODY_B = 'beta line, a little longer\n';

for (const name of PROVIDERS) {
  describe(`-o on ${name}`, () => {
    let p: ProviderFixture;
    let tmp: string;
    before(async () => {
      p = await startProvider(name);
      await p.seed('fmt-one', [{ key: 'a.txt', body: BODY_A }]);
      await p.seed('fmt-two', [
        { key: 'd/a.txt', body: BODY_A },
        { key: 'd/b.txt', body: BODY_B },
      ]);
      tmp = await mkdtemp(join(tmpdir(), 'archive-fmt-'));
    });
    after(async () => {
      await p?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });
    const account = () => (name === 'azure' ? p.loc('') : 's3://');

    test('containers: -o json/ndjson/csv/table print the same containers; --json and --ndjson are aliases', async () => {
      const json = await runInProcess(['containers', account(), '-o', 'json'], { env: p.env });
      assert.equal(json.code, 0, json.stderr);
      assert.equal(json.stderr, '');
      const rows = (JSON.parse(json.stdout) as Array<{ name: string; lastModified: string }>).sort((a, b) => (a.name < b.name ? -1 : 1));
      assert.deepEqual(
        rows.map((r) => r.name),
        ['fmt-one', 'fmt-two'],
      );
      const byName = (l: string) => l.split(',')[0];
      const alias = await runInProcess(['containers', account(), '--json'], { env: p.env });
      assert.equal(alias.stdout, json.stdout);

      const nd = await runInProcess(['containers', account(), '-o', 'ndjson'], { env: p.env });
      assert.equal(nd.code, 0, nd.stderr);
      const ndRows = nd.stdout.trimEnd().split('\n');
      assert.deepEqual(
        ndRows.map((l) => JSON.parse(l)).sort((a, b) => (a.name < b.name ? -1 : 1)),
        rows,
      );
      assert.equal((await runInProcess(['containers', account(), '--ndjson'], { env: p.env })).stdout, nd.stdout);

      const csv = await runInProcess(['containers', account(), '-o', 'csv'], { env: p.env });
      assert.equal(csv.code, 0, csv.stderr);
      assert.equal(csv.stderr, '');
      const [head, ...lines] = csv.stdout.trimEnd().split('\n');
      assert.equal(head, 'name,lastModified');
      assert.deepEqual(
        lines.sort((a, b) => (byName(a) < byName(b) ? -1 : 1)),
        rows.map((r) => `${r.name},${r.lastModified}`),
      );

      const table = await runInProcess(['containers', account(), '-o', 'table'], { env: p.env });
      assert.equal(table.stdout, (await runInProcess(['containers', account()], { env: p.env })).stdout);
      const fmt = (iso: string) => iso.slice(0, 19).replace('T', ' ');
      assert.deepEqual(
        table.stdout
          .trimEnd()
          .split('\n')
          .sort((a, b) => (a.slice(21) < b.slice(21) ? -1 : 1)),
        rows.map((r) => `${fmt(r.lastModified)}  ${r.name}`),
      );
    });

    test('containers: conflicting or unknown formats exit 2 before any request', async () => {
      const cases: Array<[string[], string]> = [
        [['--json', '--ndjson'], CONFLICT('--json', '--ndjson')],
        [['-o', 'csv', '--json'], CONFLICT('-o csv', '--json')],
        [
          // The hint names the first two words typed, the location among them (cli.ts usagePath, unchanged here).
          ['-o', 'yaml'],
          `archive: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are table, json, ndjson, csv.\nhint: run \`archive containers ${account()} --help\` for usage\n`,
        ],
      ];
      for (const [flags, stderr] of cases) {
        const r = await runInProcess(['containers', account(), ...flags], { env: p.env });
        assert.equal(r.code, 2, flags.join(' '));
        assert.equal(r.stderr, stderr, flags.join(' '));
        assert.equal(r.stdout, '');
      }
    });

    test('pull -o ndjson: one line per file with its sha256, then the summary; -o json is --json', async () => {
      const dest = join(tmp, 'nd');
      const r = await runInProcess(['pull', p.loc('fmt-two', 'd/'), dest, '-o', 'ndjson'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 3, r.stdout);
      const files = lines.slice(0, 2).sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(
        files.map((f) => [f.key, f.path, f.bytes, f.sha256, f.status]),
        [
          ['d/a.txt', join(dest, 'a.txt'), BODY_A.length, sha256(BODY_A), 'downloaded'],
          ['d/b.txt', join(dest, 'b.txt'), BODY_B.length, sha256(BODY_B), 'downloaded'],
        ],
      );
      const { summary } = lines[2];
      assert.deepEqual(Object.keys(lines[2]), ['summary']);
      assert.equal(summary.downloaded, 2);
      assert.equal(summary.failed, 0);
      assert.equal(summary.dryRun, false);
      assert.deepEqual((await walk(dest)).sort(), ['a.txt', 'b.txt']);

      // A second run: both skipped, the same shape; -o json and --json print one document alike.
      const again = await runInProcess(['pull', p.loc('fmt-two', 'd/'), dest, '-o', 'json'], { env: p.env });
      assert.equal(again.code, 0, again.stderr);
      const doc = JSON.parse(again.stdout);
      assert.deepEqual(
        doc.files.map((f: { status: string; sha256: string }) => [f.status, f.sha256]).sort(),
        [
          ['skipped', sha256(BODY_A)],
          ['skipped', sha256(BODY_B)],
        ].sort(),
      );
      const alias = JSON.parse((await runInProcess(['pull', p.loc('fmt-two', 'd/'), dest, '--json'], { env: p.env })).stdout);
      assert.deepEqual(
        alias.files.map((f: { key: string; status: string }) => [f.key, f.status]).sort(),
        doc.files.map((f: { key: string; status: string }) => [f.key, f.status]).sort(),
      );
    });

    test("the run's clock (io.now): --since counts back from it", async () => {
      // The clock is the object's own last-modified time plus half an hour, never the wall clock:
      // s3rver stamps Last-Modified from the file's mtime, which libfaketime does not shift, so a
      // window counted from the test's (shifted) clock would miss an object written a second ago.
      const all = await runInProcess(['list', p.loc('fmt-one'), '--ndjson'], { env: p.env });
      assert.equal(all.code, 0, all.stderr);
      const a = all.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; lastModified: string })
        .find((o) => o.key === 'a.txt');
      assert.ok(a, all.stdout);
      const written = Date.parse(a.lastModified);
      const args = ['list', p.loc('fmt-one'), '--since', '1h', '--ndjson'];
      const soon = await runInProcess(args, { env: p.env, now: new Date(written + 30 * 60_000) });
      assert.equal(soon.code, 0, soon.stderr);
      assert.deepEqual(
        soon.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).key),
        ['a.txt'],
      );
      const later = await runInProcess(args, { env: p.env, now: new Date(written + 2 * 3_600_000) });
      assert.equal(later.code, 0, later.stderr);
      assert.equal(later.stdout, '', 'two hours after it was written, the last hour holds nothing');
    });

    test('pull: conflicting or unknown formats exit 2 and write nothing', async () => {
      const cases: Array<[string[], string]> = [
        [['--json', '-o', 'ndjson'], CONFLICT('-o ndjson', '--json')],
        [['-o', 'table', '--json'], CONFLICT('-o table', '--json')],
        [
          ['-o', 'csv'],
          `archive: option '-o, --output <format>' argument 'csv' is invalid. Allowed choices are table, json, ndjson.\nhint: run \`archive pull ${p.loc('fmt-one')} --help\` for usage\n`,
        ],
      ];
      for (const [flags, stderr] of cases) {
        const dest = join(tmp, `bad-${flags.join('')}`);
        const r = await runInProcess(['pull', p.loc('fmt-one'), dest, ...flags], { env: p.env });
        assert.equal(r.code, 2, flags.join(' '));
        assert.equal(r.stderr, stderr, flags.join(' '));
        assert.equal(r.stdout, '');
        await assert.rejects(readdir(dest), { code: 'ENOENT' }, 'a usage error made no DEST');
      }
    });
  });
}

describe('sas inspect -o', () => {
  const sig = 'c2VjcmV0LXNpZ25hdHVyZS1mb3ItdGVzdHMtb25seQ%3D%3D';
  const token = `sv=2025-05-05&st=2026-01-01T00%3A00%3A00Z&se=2030-01-01T00%3A00%3A00Z&sr=c&sp=rl&spr=https&sig=${sig}`;
  const now = new Date('2026-06-01T00:00:00Z');

  test('-o ndjson is the --json document on one line; -o json is --json; -o table is the default', async () => {
    const json = await runInProcess(['sas', 'inspect', token, '--json'], { now });
    assert.equal(json.code, 0, json.stderr);
    const oJson = await runInProcess(['sas', 'inspect', token, '-o', 'json'], { now });
    assert.equal(oJson.stdout, json.stdout);
    const nd = await runInProcess(['sas', 'inspect', token, '-o', 'ndjson'], { now });
    assert.equal(nd.code, 0, nd.stderr);
    assert.equal(nd.stdout, `${JSON.stringify(JSON.parse(json.stdout))}\n`);
    assert.doesNotMatch(nd.stdout, new RegExp(sig.slice(0, 12)));
    const table = await runInProcess(['sas', 'inspect', token, '-o', 'table'], { now });
    assert.equal(table.stdout, (await runInProcess(['sas', 'inspect', token], { now })).stdout);
    assert.match(table.stdout, /^permissions: rl: read, list$/m);
  });

  test('conflicting or unknown formats exit 2 and print nothing on stdout', async () => {
    const cases: Array<[string[], string]> = [
      [['--json', '-o', 'ndjson'], CONFLICT('-o ndjson', '--json')],
      [
        ['-o', 'csv'],
        "archive: option '-o, --output <format>' argument 'csv' is invalid. Allowed choices are table, json, ndjson.\nhint: run `archive sas inspect --help` for usage\n",
      ],
    ];
    for (const [flags, stderr] of cases) {
      const r = await runInProcess(['sas', 'inspect', token, ...flags], { now });
      assert.equal(r.code, 2, flags.join(' '));
      assert.equal(r.stderr, stderr, flags.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});

describe('query -o', () => {
  test('conflicting or unknown formats exit 2 before the location is even resolved', async () => {
    const cases: Array<[string[], string]> = [
      [['--json', '--csv'], CONFLICT('--json', '--csv')],
      [['-o', 'ndjson', '--json'], CONFLICT('-o ndjson', '--json')],
      [['-o', 'xml'], 'archive: unknown output format "xml"\nhint: use -o with one of: table, json, ndjson, csv\n'],
    ];
    for (const [flags, stderr] of cases) {
      // No profile of that name exists: a run that got past the flags would fail on it (exit 4/2 with another message).
      const r = await runInProcess(['query', 'nosuchprofile:logs/', ...flags, 'SELECT 1']);
      assert.equal(r.code, 2, flags.join(' '));
      assert.equal(r.stderr, stderr, flags.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});
