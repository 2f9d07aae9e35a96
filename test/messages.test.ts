/**
 * Messages a person reads (issue #22 items 12 and 15), exact bytes:
 *   12 `sas create` refuses a malformed account key the way `profile add` does (exit 2, same
 *      lines), and signs with a good one; an explicit --warn-days N warns within N days (sas
 *      inspect and validate), while the default keeps the lifetime rule;
 *   15 `pull` says "in 0.Ns", not "in 0s"; `sas create --expires 2d` says "2d 0h left"; a DuckDB
 *      Binder error's hint lists the candidates readably; `--out` into a missing folder fails before
 *      anything is listed or fetched; an emulator URL without a credential says what to give.
 * SAS is Azure's: items about tokens run against Azurite only (s3rver has nothing to sign). The
 * others run on both emulators. (The failed-file line naming its key once and the symlink hint are
 * in odd-inputs.test.ts.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runInProcess } from './support/io.js';
import { runCli } from './support/cli.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { AZURITE_KEY, type AzuriteEmulator } from './support/emulators.js';

const NOW = new Date('2026-12-01T00:30:00.900Z');
const enc = encodeURIComponent;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 86_400_000;

/** An unsigned token (inspect never checks the signature) with the given start and expiry. */
const token = (start: number, expiry: number) =>
  `https://acct.blob.core.windows.net/logs?sv=2025-05-05&st=${enc(iso(start))}&se=${enc(iso(expiry))}&sr=c&sp=rl&spr=https&sig=S1GNATURE`;

describe('SAS (Azurite: tokens are an Azure feature)', () => {
  let p: ProviderFixture;
  let home: string;
  before(async () => {
    p = await startProvider('azure');
    await p.seed('logs', [{ key: 'a.log', body: 'a\n' }]);
    home = mkdtempSync(join(tmpdir(), 'archive-msg-'));
  });
  after(async () => {
    await p?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  const url = () => `${(p.emu as AzuriteEmulator).serviceUrl}/logs`;

  test('item 12: sas create refuses a malformed account key exactly as profile add does', async () => {
    const bad = 'not base64!';
    const expected = 'archive: the account key is not base64\nhint: copy key1 or key2 from the portal: Storage account → Access keys\n';
    const create = await runInProcess(['sas', 'create', url(), '--for', 'reader'], {
      env: { AZURE_STORAGE_ACCOUNT: 'devstoreaccount1', AZURE_STORAGE_KEY: bad },
      now: NOW,
    });
    assert.deepEqual([create.code, create.stdout, create.stderr], [2, '', expected]);
    const add = await runInProcess(['profile', 'add', 'badkey', url(), '--auth', 'key', '--secret-stdin'], {
      env: { ARCHIVE_CONFIG_DIR: home },
      input: `${bad}\n`,
    });
    assert.deepEqual([add.code, add.stderr], [2, expected]);
    // A connection string carrying such a key is refused the same way, naming where it came from.
    const cs = (p.env.AZURE_STORAGE_CONNECTION_STRING as string).replace(AZURITE_KEY, 'abc!def');
    const viaCs = await runInProcess(['sas', 'create', url(), '--for', 'reader'], {
      env: { AZURE_STORAGE_CONNECTION_STRING: cs },
      now: NOW,
    });
    assert.deepEqual(
      [viaCs.code, viaCs.stderr],
      [
        2,
        "archive: the connection string's AccountKey is not base64\nhint: copy key1 or key2 from the portal: Storage account → Access keys\n",
      ],
    );
    // The real key signs a token that works (its window is the real clock's: Azurite checks it).
    const good = await runInProcess(['sas', 'create', url(), '--for', 'reader', '--format', 'url'], {
      env: { AZURE_STORAGE_ACCOUNT: 'devstoreaccount1', AZURE_STORAGE_KEY: AZURITE_KEY },
    });
    assert.equal(good.code, 0, good.stderr);
    const listed = await runInProcess(['list', good.stdout.trim(), '-o', 'ndjson'], { env: {} });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).key, 'a.log');
  });

  test('item 15: sas create --expires 2d reports 2d 0h left, not 1d 23h', async () => {
    // The clock's 0.9 s are cut off the signed expiry (SAS times have whole seconds).
    const r = await runInProcess(['sas', 'create', url(), '--permissions', 'rl', '--expires', '2d'], {
      env: { AZURE_STORAGE_ACCOUNT: 'devstoreaccount1', AZURE_STORAGE_KEY: AZURITE_KEY },
      now: NOW,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr.split('\n')[0],
      'created a service SAS (account key) for az://devstoreaccount1/logs: rl, expires 2026-12-03T00:30:00Z (2d 0h left)',
    );
  });

  test('item 12: an explicit --warn-days N warns within N days; the default keeps the lifetime rule', async () => {
    const now = NOW.getTime();
    // Signed a day ago for eight days: seven left, past the last fifth (1.6 days) not yet.
    const t = token(now - DAY, now + 7 * DAY);
    const inspect = async (...args: string[]) => {
      const r = await runInProcess(['sas', 'inspect', t, '--json', ...args], { env: {}, now: NOW });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).warnings.filter((w: { code: string }) => w.code === 'expiring');
    };
    assert.deepEqual(await inspect('--warn-days', '60'), [
      { code: 'expiring', message: 'expires in 7d 0h (within 60 days): plan its renewal' },
    ]);
    assert.deepEqual(await inspect('--warn-days', '8'), [
      { code: 'expiring', message: 'expires in 7d 0h (within 8 days): plan its renewal' },
    ]);
    assert.deepEqual(await inspect('--warn-days', '6'), []);
    assert.deepEqual(await inspect(), []);
    const bad = await runInProcess(['sas', 'inspect', t, '--warn-days', 'soon'], { env: {}, now: NOW });
    assert.deepEqual([bad.code, bad.stderr], [2, 'archive: --warn-days: "soon" is not a number of days\nhint: e.g. --warn-days 30\n']);
  });

  test('item 12: validate --warn-days 60 warns of a SAS with a week left; without it, it does not', async () => {
    // A real token for Azurite (its window must hold on the real clock): one day old, seven to go.
    const made = await runInProcess(
      ['sas', 'create', url(), '--permissions', 'rl', '--start', '1d', '--expires', '7d', '--format', 'url'],
      { env: { AZURE_STORAGE_ACCOUNT: 'devstoreaccount1', AZURE_STORAGE_KEY: AZURITE_KEY } },
    );
    assert.equal(made.code, 0, made.stderr);
    const sasUrl = made.stdout.trim();
    const sasRow = async (...args: string[]) => {
      const r = await runInProcess(['validate', sasUrl, '--no-write', '--json', ...args], { env: {} });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return JSON.parse(r.stdout).sas.warnings.map((w: { code: string }) => w.code);
    };
    assert.ok((await sasRow('--warn-days', '60')).includes('expiring'));
    assert.ok(!(await sasRow()).includes('expiring'));
  });

  test('item 15: an emulator URL without a credential says what to give (exit 3), not the SDK sentence', async () => {
    const r = await runInProcess(['list', url()], { env: {} });
    assert.deepEqual(
      [r.code, r.stderr],
      [
        3,
        `archive: ${(p.emu as AzuriteEmulator).serviceUrl} is plain http and no credential was given: an Entra ID token is only sent over https (NoCredential)\n` +
          'hint: for an emulator or another http endpoint give its connection string (AZURE_STORAGE_CONNECTION_STRING), a SAS URL, AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY, or a profile with --auth key\n',
      ],
    );
    assert.doesNotMatch(r.stderr, /Bearer/);
  });
});

for (const name of PROVIDERS) {
  describe(`messages a person reads (${name})`, () => {
    let p: ProviderFixture;
    let tmp: string;
    before(async () => {
      p = await startProvider(name);
      tmp = mkdtempSync(join(tmpdir(), 'archive-msg-'));
      await p.seed('msgs', [
        { key: 'logs/a.log.gz', body: gzipSync('{"a":1,"t":"x"}\n{"a":2,"t":"y"}\n') },
        { key: 'logs/b.log.gz', body: gzipSync('{"a":3,"t":"z"}\n') },
      ]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    test('item 15: a short pull says how long in tenths of a second, never "in 0s"', async () => {
      const r = await runInProcess(['pull', p.loc('msgs', 'logs/'), join(tmp, `pull-${name}`)], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^2 downloaded \(\d+ B at \S+ \S+\/s\), 0 already complete, 0 failed in \d+\.\ds\n$/);
      // The spawned binary prints the same line (the process ends on the same summary).
      const again = await runCli(['pull', p.loc('msgs', 'logs/'), join(tmp, `pull-${name}`)], { env: p.env });
      assert.match(again.stderr, /^0 downloaded \(0 B at 0 B\/s\), 2 already complete, 0 failed in \d+\.\ds\n$/);
    });

    test("item 15: a Binder error's hint lists DuckDB's candidates readably", async () => {
      const r = await runInProcess(['query', p.loc('msgs', 'logs/'), 'SELECT time_bucket(INTERVAL 1 HOUR, a) FROM logs'], {
        env: { ...p.env, TMPDIR: tmp },
      });
      assert.equal(r.code, 2, r.stderr);
      const [first, hint] = r.stderr.trimEnd().split('\n');
      assert.equal(
        first,
        "archive: SQL: Binder Error: No function matches the given name and argument types 'time_bucket(INTERVAL, BIGINT)'. You might need to add explicit type casts. (at line 1, column 8: SELECT time_bucket(INTERVAL 1 HOUR, a) FROM logs)",
      );
      assert.match(
        hint!,
        /^hint: candidates: time_bucket\(INTERVAL, DATE\) -> DATE; time_bucket\(INTERVAL, DATE, DATE\) -> DATE; time_bucket\(INTERVAL, DATE, INTERVAL\) -> DATE; time_bucket\(INTERVAL, TIMESTAMP\) -> TIMESTAMP; … \(\d+ in all\); the table is `logs` \(`logs_raw` untyped\); `archive query LOCATION --schema` lists its columns$/,
      );
      assert.doesNotMatch(r.stderr, /\t/);
      const typo = await runInProcess(['query', p.loc('msgs', 'logs/'), 'SELECT aa FROM logs'], { env: { ...p.env, TMPDIR: tmp } });
      assert.equal(typo.code, 2);
      assert.match(typo.stderr, /\nhint: Candidate bindings: "a"(, "[^"]+")*; the table is `logs`/);
    });

    test('item 15: --out into a missing folder fails before anything is listed or fetched', async () => {
      const out = join(tmp, 'missing', 'dir', 'x.csv');
      // The location holds nothing: had it been listed first, the answer would be "nothing under" (4).
      const r = await runInProcess(['query', p.loc('msgs', 'nothing/'), '--out', out, 'SELECT 1'], { env: { ...p.env, TMPDIR: tmp } });
      assert.deepEqual(
        [r.code, r.stderr],
        [
          2,
          `archive: --out ${out}: the folder ${join(tmp, 'missing', 'dir')} does not exist\nhint: create it first, or name a file in a folder that exists\n`,
        ],
      );
      const dir = await runInProcess(['query', p.loc('msgs', 'logs/'), '--out', tmp, 'SELECT 1'], { env: { ...p.env, TMPDIR: tmp } });
      assert.equal(dir.code, 2);
      assert.match(dir.stderr, /^archive: --out .*: unknown file type "\(none\)"$/m);
    });
  });
}
