/**
 * The CLI's outer surface: --version, colour switches (NO_COLOR, FORCE_COLOR, --no-color) and
 * examples in every command's --help.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, cleanEnv, hermetic, GUARD_EXIT } from './support/cli.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AZURITE_KEY } from './support/emulators.js';

const ESC = /\x1b\[/;

describe('cli surface', () => {
  let cfg: string;
  before(async () => {
    cfg = await mkdtemp(join(tmpdir(), 'archive-surface-'));
  });
  after(async () => rm(cfg, { recursive: true, force: true }));

  test('--version and -V print the package version, the Node.js version and the zstd decoder', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0, r.stderr);
      // The version first, then what a bug report needs beside it (src/version.ts).
      assert.equal(r.stdout.split('\n')[0], `archive ${version}`);
      assert.equal(r.stdout.split('\n')[1], `node ${process.versions.node} (${process.platform}-${process.arch})`);
      assert.match(r.stdout.split('\n')[2], /^zstd decoder: /);
    }
  });

  // An error that needs no network: a profile that does not exist.
  const failing = ['list', 'nosuchprofile:'];
  const env = (extra: Record<string, string | undefined>) => ({
    ARCHIVE_CONFIG_DIR: cfg,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    ...extra,
  });

  test('off a terminal there is no colour by default', async () => {
    const r = await runCli(failing, { env: env({}) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^archive: unknown profile "nosuchprofile"/m);
    assert.doesNotMatch(r.stderr, ESC);
  });

  test('FORCE_COLOR=1 colours the error and hint even when piped', async () => {
    const r = await runCli(failing, { env: env({ FORCE_COLOR: '1' }) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\x1b\[31marchive:\x1b\[39m unknown profile/);
    assert.match(r.stderr, /\x1b\[33mhint:\x1b\[39m /);
  });

  test('NO_COLOR wins over FORCE_COLOR; FORCE_COLOR=0 and --no-color turn colour off', async () => {
    for (const [extra, args] of [
      [{ NO_COLOR: '1', FORCE_COLOR: '1' }, failing],
      [{ FORCE_COLOR: '0' }, failing],
      [{ FORCE_COLOR: '1' }, ['--no-color', ...failing]],
      [{ FORCE_COLOR: '1' }, [...failing, '--no-color']],
    ] as Array<[Record<string, string>, string[]]>) {
      const r = await runCli(args, { env: env(extra) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^archive: unknown profile/m, JSON.stringify(extra));
      assert.doesNotMatch(r.stderr, ESC, `${JSON.stringify(extra)} ${args.join(' ')}`);
    }
  });

  test('NO_COLOR set but empty does not count (no-color.org)', async () => {
    const r = await runCli(failing, { env: env({ NO_COLOR: '', FORCE_COLOR: '1' }) });
    assert.match(r.stderr, ESC);
  });

  test('every command group and command with arguments shows examples in --help', async () => {
    for (const cmd of [
      'containers',
      'list',
      'profile',
      'profile add',
      'sas',
      'sas inspect',
      'sas create',
      'validate',
      'pull',
      'cat',
      'completion',
    ]) {
      const r = await runCli([...cmd.split(' '), '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Examples:\n {2}\S/m, `archive ${cmd} --help has no examples`);
    }
  });
});

describe('hermetic harness (test/support/cli.ts, loopback-guard.mjs)', () => {
  // A loopback server that answers every request as Azure does for a missing container: enough to
  // show a loopback connection goes through, without starting Azurite for it.
  let server: Server;
  let port = 0;
  const requests: string[] = [];
  const cs = (host: string) =>
    `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://${host}:${port}/devstoreaccount1;`;
  before(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(404, { 'content-type': 'application/xml', 'x-ms-error-code': 'ContainerNotFound' });
      res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('every spawned CLI gets a temp home, empty AWS files, IMDS off, no Azure identity, no az', () => {
    const env = cleanEnv();
    assert.equal(env.HOME, hermetic.home);
    assert.equal(env.XDG_CONFIG_HOME, hermetic.config);
    assert.equal(env.ARCHIVE_CONFIG_DIR, hermetic.archiveConfig);
    assert.ok(env.HOME!.startsWith(tmpdir()), env.HOME);
    for (const f of [env.AWS_CONFIG_FILE!, env.AWS_SHARED_CREDENTIALS_FILE!]) assert.equal(readFileSync(f, 'utf8'), '', f);
    assert.equal(env.AWS_EC2_METADATA_DISABLED, 'true');
    assert.deepEqual(
      Object.keys(env).filter((k) => /^(AZURE_|MSI_|IDENTITY_)/.test(k)),
      [],
    );
    for (const d of (env.PATH ?? '').split(':')) assert.ok(!existsSync(join(d, 'az')), `${d}/az is on the PATH`);
    // A test that sets its own HOME gets the product's own config lookup, not ours.
    assert.equal(cleanEnv({ HOME: '/nonexistent' }).ARCHIVE_CONFIG_DIR, undefined);
  });

  test('loopback is allowed: the CLI reaches a server on 127.0.0.1, also by the name "localhost"', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const before = requests.length;
      const r = await runCli(['list', `http://${host}:${port}/devstoreaccount1/logs`], {
        env: { AZURE_STORAGE_CONNECTION_STRING: cs(host) },
      });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^archive: list .*: not found \(ContainerNotFound\)$/m);
      assert.ok(requests.length > before, `no request reached the server through ${host}`);
    }
  });

  test('a connection to a non-loopback address is stopped and fails the run', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never routed, so without the guard this would hang or time out.
    const r = await runCli(['list', 'http://192.0.2.1:10000/devstoreaccount1/logs'], {
      env: { AZURE_STORAGE_CONNECTION_STRING: cs('192.0.2.1') },
      expectGuardTrip: true,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, GUARD_EXIT, r.stderr);
    assert.match(r.stderr, /^archive-test loopback guard: blocked connection to 192\.0\.2\.1:10000 /m);
  });

  test('a DNS lookup of a cloud host name is stopped (az://ACCOUNT means *.blob.core.windows.net)', async () => {
    const r = await runCli(['list', 'az://someaccount/logs'], {
      env: { AZURE_STORAGE_KEY: 'a2V5' },
      expectGuardTrip: true,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, GUARD_EXIT, r.stderr);
    assert.match(
      r.stderr,
      /^archive-test loopback guard: blocked (DNS lookup\(someaccount\.blob\.core\.windows\.net\)|connection to someaccount\.blob\.core\.windows\.net:443) /m,
    );
  });

  test('runCli itself rejects a run the guard stopped, whatever the test then asserts', async () => {
    await assert.rejects(
      runCli(['list', 'http://192.0.2.1:10000/devstoreaccount1/logs'], {
        env: { AZURE_STORAGE_CONNECTION_STRING: cs('192.0.2.1') },
        timeoutMs: 60_000,
      }),
      /tried to leave loopback: .*192\.0\.2\.1:10000/,
    );
  });
});
