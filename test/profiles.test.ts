/**
 * `archive profile …` and PROFILE:PREFIX locations, with the real CLI against Azurite and s3rver:
 * file location and mode, refusal of readable/broken files, masking, environment overrides,
 * default profile, layouts, bad input, concurrent writers.
 */
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSASPermissions, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { spawn, spawnSync } from 'node:child_process';
import { runCli, transcript, cleanEnv, BIN, type CliResult } from './support/cli.js';
import {
  startAzurite,
  startS3rver,
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  S3RVER_SECRET,
  type AzuriteEmulator,
  type S3Emulator,
} from './support/emulators.js';
import { seedAzure, seedS3 } from './support/seed.js';

const WRONG_KEY = Buffer.from('definitely-not-the-account-key-0123456789').toString('base64');
const DATED = 'misc/20260105/app-20260105T170000Z.log';
const CF = 'cf/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz';

/** The CLI as root but without the capabilities that bypass file modes (see the EACCES case). */
function runUnprivileged(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN, ...args], {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      transcript.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr, stdoutBuf: Buffer.from(stdout) });
    });
  });
}

describe('profiles', () => {
  let az: AzuriteEmulator;
  let s3: S3Emulator;
  let root: string;
  let cfg: string;
  let env: Record<string, string>;
  let sasSig = '';
  before(async () => {
    az = await startAzurite({ inMemory: true });
    await seedAzure(az, 'logs', [
      { key: DATED, body: 'dated\n' },
      { key: CF, body: 'cf\n' },
    ]);
    await seedAzure(az, 'other', [{ key: 'x/y.txt', body: 'y\n' }]);
    s3 = await startS3rver();
    await seedS3(s3, 'bucket', [{ key: 'p/one.txt', body: 'one\n' }]);
    root = await mkdtemp(join(tmpdir(), 'archive-profiles-'));
  });
  after(async () => {
    await az?.stop();
    await s3?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    cfg = await mkdtemp(join(root, 'cfg-'));
    env = { ARCHIVE_CONFIG_DIR: join(cfg, 'archive') };
  });

  const file = () => join(cfg, 'archive', 'profiles.json');
  const addKey = (name: string, loc: string, key = AZURITE_KEY, extra: string[] = []) =>
    runCli(['profile', 'add', name, loc, '--auth', 'key', '--secret-stdin', ...extra], { env, input: `${key}\n` });

  test('add (key from stdin) → file 0600 in a 0700 dir; show masks; list marks the default', async () => {
    const r = await addKey('dev', `${az.serviceUrl}/logs`, AZURITE_KEY, ['--layout', 'generic']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^saved profile dev: az:\/\/devstoreaccount1\/logs \(key\), default$/m);
    assert.equal((await stat(file())).mode & 0o777, 0o600);
    assert.equal((await stat(join(cfg, 'archive'))).mode & 0o777, 0o700);
    const stored = JSON.parse(await readFile(file(), 'utf8'));
    assert.equal(stored.profiles.dev.auth.accountKey, AZURITE_KEY, 'the file holds the key (that is why it is 0600)');

    const show = await runCli(['profile', 'show', 'dev'], { env });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^ {2}account key:\s+Eby8…\*\*\*\*$/m);
    assert.ok(!show.stdout.includes(AZURITE_KEY));
    const js = await runCli(['profile', 'show', 'dev', '--json'], { env });
    assert.ok(!js.stdout.includes(AZURITE_KEY));
    assert.equal(JSON.parse(js.stdout).auth.fields[0].value, 'Eby8…****');
    assert.equal((await runCli(['profile', 'show', 'dev', '-o', 'json'], { env })).stdout, js.stdout, '-o json is --json');
    const both = await runCli(['profile', 'show', 'dev', '--json', '-o', 'table'], { env });
    assert.equal(both.code, 2);
    assert.equal(both.stdout, '');
    assert.equal(both.stderr, 'archive: conflicting output formats: -o table and --json\nhint: choose one output format\n');

    await addKey('dev2', `${az.serviceUrl}/other`);
    const list = await runCli(['profile', 'list'], { env });
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^\*\s+dev\s+azure\s+key\s+generic\s+az:\/\/devstoreaccount1\/logs$/m);
    assert.match(list.stdout, /^\s+dev2\s+azure\s+key\s+az:\/\/devstoreaccount1\/other$/m);
    const lj = JSON.parse((await runCli(['profile', 'list', '--json'], { env })).stdout);
    assert.deepEqual(
      lj.map((p: { name: string; default: boolean }) => [p.name, p.default]),
      [
        ['dev', true],
        ['dev2', false],
      ],
    );
  });

  test('profile list -o table|json|ndjson (--json kept); conflicting formats exit 2 and change nothing', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`, AZURITE_KEY, ['--layout', 'generic']);
    await addKey('dev2', `${az.serviceUrl}/other`);
    const before = await readFile(file(), 'utf8');
    const nd = await runCli(['profile', 'list', '-o', 'ndjson'], { env });
    assert.equal(nd.code, 0, nd.stderr);
    assert.equal(nd.stderr, '');
    assert.equal(
      nd.stdout,
      [
        '{"name":"dev","default":true,"provider":"azure","auth":"key","location":"az://devstoreaccount1/logs","layout":"generic"}',
        '{"name":"dev2","default":false,"provider":"azure","auth":"key","location":"az://devstoreaccount1/other"}',
        '',
      ].join('\n'),
    );
    const json = await runCli(['profile', 'list', '--json'], { env });
    const oJson = await runCli(['profile', 'list', '-o', 'json'], { env });
    assert.equal(oJson.code, 0);
    assert.equal(oJson.stdout, json.stdout);
    assert.deepEqual(
      JSON.parse(json.stdout),
      nd.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    const table = await runCli(['profile', 'list', '-o', 'table'], { env });
    assert.equal(
      table.stdout,
      '*  dev   azure     key   generic  az://devstoreaccount1/logs\n   dev2  azure     key            az://devstoreaccount1/other\n',
    );
    assert.equal((await runCli(['profile', 'list'], { env })).stdout, table.stdout);
    for (const [args, err] of [
      [['--json', '-o', 'ndjson'], 'archive: conflicting output formats: -o ndjson and --json'],
      [['-o', 'table', '--ndjson'], 'archive: conflicting output formats: -o table and --ndjson'],
    ] as const) {
      const bad = await runCli(['profile', 'list', ...args], { env });
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stdout, '');
      assert.equal(bad.stderr, `${err}\nhint: choose one output format\n`);
    }
    assert.equal(await readFile(file(), 'utf8'), before);
  });

  test('PROFILE:PREFIX in list, the profile layout, and --layout overriding it', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`, AZURITE_KEY, ['--layout', 'generic']);
    const r = await runCli(['list', 'dev:misc/', '--ndjson'], { env });
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout.trim());
    assert.equal(row.key, DATED);
    assert.equal(row.layout, 'generic', 'the profile layout applies');
    const auto = await runCli(['list', 'dev:misc/', '--ndjson', '--layout', 'auto'], { env });
    assert.equal(JSON.parse(auto.stdout.trim()).layout, 'dated', '--layout beats the profile');
    // A profile prefix is the root of NAME:PATH.
    await addKey('cf', `${az.serviceUrl}/logs/cf`, AZURITE_KEY, ['--layout', 'cloudflare']);
    const cf = await runCli(['list', 'cf:20260105/', '--ndjson'], { env });
    assert.equal(cf.code, 0, cf.stderr);
    assert.equal(JSON.parse(cf.stdout.trim()).key, CF);
  });

  test('a profile without a container takes it from NAME:CONTAINER/PREFIX; containers NAME: lists them', async () => {
    await addKey('acct', az.serviceUrl);
    const r = await runCli(['list', 'acct:other/x/', '--ndjson'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).key, 'x/y.txt');
    const c = await runCli(['containers', 'acct:', '--json'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(
      JSON.parse(c.stdout)
        .map((x: { name: string }) => x.name)
        .sort(),
      ['logs', 'other'],
    );
  });

  test('environment overrides the stored key; show names the variable', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`, WRONG_KEY);
    const bad = await runCli(['list', 'dev:'], { env });
    assert.equal(bad.code, 3, bad.stderr);
    const good = await runCli(['list', 'dev:', '--ndjson'], { env: { ...env, AZURE_STORAGE_KEY: AZURITE_KEY } });
    assert.equal(good.code, 0, good.stderr);
    const show = await runCli(['profile', 'show', 'dev'], { env: { ...env, AZURE_STORAGE_KEY: AZURITE_KEY } });
    assert.match(show.stdout, /account key:.*\(overridden by AZURE_STORAGE_KEY\)/);
    // Variables of another credential type are ignored: a key profile does not become a SAS profile.
    const other = await runCli(['list', 'dev:'], {
      env: { ...env, AZURE_CLIENT_SECRET: 'x'.repeat(20), AZURE_STORAGE_SAS_TOKEN: 'sv=x&sig=y' },
    });
    assert.equal(other.code, 3);
  });

  test('connection string kept out of the file (--no-store-secret) comes from the environment at use time', async () => {
    const add = await runCli(['profile', 'add', 'cs', '--auth', 'connection-string', '--container', 'logs', '--no-store-secret'], {
      env: { ...env, AZURE_STORAGE_CONNECTION_STRING: az.connectionString },
    });
    assert.equal(add.code, 0, add.stderr);
    assert.ok(!(await readFile(file(), 'utf8')).includes(AZURITE_KEY), 'the secret was stored');
    const without = await runCli(['list', 'cs:'], { env });
    assert.equal(without.code, 2);
    assert.match(without.stderr, /^archive: profile "cs" has no connection string$/m);
    assert.match(without.stderr, /^hint: set AZURE_STORAGE_CONNECTION_STRING/m);
    const withEnv = await runCli(['list', 'cs:', '--ndjson'], { env: { ...env, AZURE_STORAGE_CONNECTION_STRING: az.connectionString } });
    assert.equal(withEnv.code, 0, withEnv.stderr);
    assert.equal(withEnv.stdout.trim().split('\n').length, 2);
  });

  test('SAS URL profile: token stored, signature never shown, expiry shown', async () => {
    const token = generateBlobSASQueryParameters(
      {
        containerName: 'logs',
        permissions: ContainerSASPermissions.parse('rl'),
        expiresOn: new Date(Date.now() + 40 * 86_400_000),
        protocol: SASProtocol.HttpsAndHttp,
        version: '2025-05-05',
      },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    sasSig = new URLSearchParams(token).get('sig') ?? '';
    const add = await runCli(['profile', 'add', 'vendor', `${az.serviceUrl}/logs?${token}`], { env });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /\(sas\)/);
    const show = await runCli(['profile', 'show', 'vendor'], { env });
    assert.match(show.stdout, /SAS token:\s+.*sig=REDACTED/);
    assert.match(show.stdout, /SAS expiry:\s+\S+ \((39d 23h|40d 0h) left\), permissions rl/);
    const l = await runCli(['list', 'vendor:cf/', '--ndjson'], { env });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(JSON.parse(l.stdout.trim()).key, CF);
  });

  test('S3 profile: region/endpoint from flags; AWS_ENDPOINT_URL_S3 overrides the stored endpoint', async () => {
    const add = await runCli(
      [
        'profile',
        'add',
        'minio',
        's3://bucket/p',
        '--auth',
        'keys',
        '--access-key-id',
        'S3RVER',
        '--secret-stdin',
        '--endpoint',
        'http://127.0.0.1:9',
        '--region',
        'eu-west-1',
      ],
      {
        env,
        input: S3RVER_SECRET,
      },
    );
    assert.equal(add.code, 0, add.stderr);
    const show = JSON.parse((await runCli(['profile', 'show', 'minio', '--json'], { env })).stdout);
    assert.equal(show.region, 'eu-west-1');
    assert.equal(show.endpoint, 'http://127.0.0.1:9');
    const r = await runCli(['list', 'minio:', '--ndjson'], { env: { ...env, AWS_ENDPOINT_URL_S3: s3.endpoint } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).key, 'p/one.txt');
    const dead = await runCli(['list', 'minio:'], { env, timeoutMs: 60_000 });
    assert.equal(dead.code, 1, 'the stored (dead) endpoint is used without the override');
    assert.match(dead.stderr, /ECONNREFUSED/);
  });

  test('default profile: use, ARCHIVE_PROFILE, remove clears it, --unset', async () => {
    await addKey('a', `${az.serviceUrl}/logs`);
    await addKey('b', `${az.serviceUrl}/other`);
    const names = async (e: Record<string, string>) => {
      const r = await runCli(['containers', '--json'], { env: e });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout)
        .map((x: { name: string }) => x.name)
        .sort();
    };
    assert.deepEqual(await names(env), ['logs', 'other'], 'the first profile became the default');
    const use = await runCli(['profile', 'use', 'b'], { env });
    assert.equal(use.code, 0);
    assert.match((await runCli(['profile', 'list'], { env })).stdout, /^\*\s+b\s/m);
    const v = await runCli(['validate', '--no-write', '--json'], { env });
    assert.equal(v.code, 0, v.stderr);
    assert.match(JSON.parse(v.stdout).location, /^b: \(az:\/\/devstoreaccount1\/other\)/);
    const viaEnv = await runCli(['validate', '--no-write', '--json'], { env: { ...env, ARCHIVE_PROFILE: 'a' } });
    assert.match(JSON.parse(viaEnv.stdout).location, /^a: /);
    const rm1 = await runCli(['profile', 'remove', 'b'], { env });
    assert.match(rm1.stdout, /it was the default/);
    const none = await runCli(['validate'], { env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^archive: no location given and no default to use$/m);
    await runCli(['profile', 'use', 'a'], { env });
    const unset = await runCli(['profile', 'use', '--unset'], { env });
    assert.equal(unset.code, 0);
    assert.equal(JSON.parse(await readFile(file(), 'utf8')).default, undefined);
  });

  test('a group/world-readable file is refused with a chmod hint; other commands are unaffected', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`);
    await chmod(file(), 0o644);
    for (const args of [
      ['list', 'dev:'],
      ['profile', 'list'],
      ['profile', 'show', 'dev'],
    ]) {
      const r = await runCli(args, { env });
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^archive: refusing to read .*profiles\.json: it holds secrets but is readable by others \(mode 0644\)$/m);
      assert.match(r.stderr, new RegExp(`^hint: restrict it with \`chmod 600 ${file().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``, 'm'));
    }
    // A location that is not a profile never reads the file.
    const plain = await runCli(['list', `${az.serviceUrl}/logs`, '--ndjson'], {
      env: { ...env, AZURE_STORAGE_CONNECTION_STRING: az.connectionString },
    });
    assert.equal(plain.code, 0, plain.stderr);
    await chmod(file(), 0o600);
    assert.equal((await runCli(['list', 'dev:'], { env })).code, 0);
  });

  test('unreadable or broken profile files', async (t) => {
    await mkdir(join(cfg, 'archive'), { recursive: true });
    await writeFile(file(), '{ not json', { mode: 0o600 });
    let r = await runCli(['list', 'dev:'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^archive: the profile file .* is not valid JSON$/m);
    assert.match(r.stderr, /^hint: /m);
    await writeFile(file(), JSON.stringify({ version: 9, profiles: {} }), { mode: 0o600 });
    r = await runCli(['profile', 'list'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown format/);
    await rm(file());
    await mkdir(file());
    r = await runCli(['profile', 'list'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a file/);
    await rm(file(), { recursive: true });
    // A config dir path that runs through a regular file: ENOTDIR, which no privilege bypasses.
    await writeFile(join(cfg, 'plain-file'), 'x');
    r = await runCli(['profile', 'list'], { env: { ARCHIVE_CONFIG_DIR: join(cfg, 'plain-file', 'archive') } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /ENOTDIR/);

    // EACCES: root bypasses file modes through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so as root
    // the CLI runs with those two dropped from its capability bounding set (setpriv, util-linux):
    // still uid 0 and the owner of the file, but the mode-000 file is really unreadable to it.
    await writeFile(file(), JSON.stringify({ version: 1, profiles: {} }), { mode: 0o000 });
    const root = process.getuid?.() === 0;
    if (root && spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', 'true']).status !== 0) {
      t.skip('running as root without a working setpriv (util-linux) to drop CAP_DAC_OVERRIDE: EACCES cannot be produced');
      return;
    }
    r = root ? await runUnprivileged(['profile', 'list'], env) : await runCli(['profile', 'list'], { env });
    assert.equal(r.code, 3, r.stderr);
    const esc = file().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(r.stderr, new RegExp(`^archive: cannot read the profile file ${esc}: permission denied \\(EACCES\\)$`, 'm'));
    assert.match(r.stderr, new RegExp(`^hint: check its owner and mode: \`ls -l ${esc}\``, 'm'));
  });

  test('a group/other-writable file is refused too, not only a readable one', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`);
    for (const mode of [0o620, 0o602, 0o660]) {
      await chmod(file(), mode);
      const r = await runCli(['list', 'dev:'], { env });
      assert.equal(r.code, 3, `${mode.toString(8)}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(
          `^archive: refusing to read .*profiles\\.json: it holds secrets but is readable by others \\(mode 0${mode.toString(8)}\\)$`,
          'm',
        ),
      );
    }
  });

  test('a profile file owned by another user is refused (as root too: its owner could rewrite it)', async (t) => {
    await addKey('dev', `${az.serviceUrl}/logs`);
    const uid = process.getuid?.();
    if (uid !== 0) {
      t.skip('only root can give a file to another user (chown) to set this case up');
      return;
    }
    const { chown } = await import('node:fs/promises');
    await chown(file(), 65534, 65534);
    const r = await runCli(['list', 'dev:'], { env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^archive: refusing to read .*profiles\.json: it belongs to another user \(uid 65534\)$/m);
    assert.match(r.stderr, /^hint: the profile file holds secrets and must be yours: `chown 0 /m);
    await chown(file(), 0, 0);
    assert.equal((await runCli(['list', 'dev:', '--ndjson'], { env })).code, 0);
  });

  test('--secret-file: the key is read from a file and stored, never echoed', async () => {
    const keyFile = join(cfg, 'key.txt');
    await writeFile(keyFile, `${AZURITE_KEY}\n`, { mode: 0o600 });
    const r = await runCli(['profile', 'add', 'fromfile', `${az.serviceUrl}/logs`, '--auth', 'key', '--secret-file', keyFile], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^saved profile fromfile: az:\/\/devstoreaccount1\/logs \(key\), default$/m);
    assert.equal(
      JSON.parse(await readFile(file(), 'utf8')).profiles.fromfile.auth.accountKey,
      AZURITE_KEY,
      'stored without the trailing newline',
    );
    const l = await runCli(['list', 'fromfile:misc/', '--ndjson'], { env });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(JSON.parse(l.stdout.trim()).key, DATED);
    const missing = await runCli(
      ['profile', 'add', 'nofile', `${az.serviceUrl}/logs`, '--auth', 'key', '--secret-file', join(cfg, 'no-such-file')],
      { env },
    );
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no-such-file/);
    assert.match(missing.stderr, /^hint: /m);
  });

  test('bad input: unknown profile, bad names, unknown auth, missing secret off a TTY, duplicates', async () => {
    await addKey('dev', `${az.serviceUrl}/logs`);
    const unknown = await runCli(['list', 'nope:x/'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^archive: unknown profile "nope"$/m);
    assert.match(unknown.stderr, /^hint: saved profiles: dev /m);
    const cases: Array<[string[], RegExp]> = [
      [['profile', 'add', 'bad name', `${az.serviceUrl}/logs`], /is not a valid profile name/],
      [['profile', 'add', 'x', `${az.serviceUrl}/logs`, '--auth', 'password'], /--auth: unknown credential type "password"/],
      [['profile', 'add', 'x', 's3://bucket', '--auth', 'key'], /--auth key is not a credential type for S3/],
      [['profile', 'add', 'x', `${az.serviceUrl}/logs`, '--auth', 'key'], /^archive: no account key given$/m],
      [['profile', 'add', 'dev', `${az.serviceUrl}/logs`, '--auth', 'anonymous'], /profile "dev" already exists/],
      [['profile', 'add', 'x', 's3://bucket', '--role-arn', 'not-an-arn'], /is not an IAM role ARN/],
      [['profile', 'add', 'x', `${az.serviceUrl}/logs?sv=2025-05-05&sp=r`], /the URL has a query string but no SAS signature/],
      [['profile', 'add', 'x', 'dev:logs'], /cannot point at another profile/],
      [['profile', 'add', 'x', `${az.serviceUrl}/logs`, '--layout', 'nope'], /unknown layout "nope"/],
      [['profile', 'add', 'x'], /what should the profile point at/],
      [['profile', 'show', 'nope'], /unknown profile "nope"/],
      [['profile', 'remove', 'nope'], /unknown profile "nope"/],
      [['profile', 'use', 'nope'], /unknown profile "nope"/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args, { env });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.match(r.stderr, /^hint: /m, `${args.join(' ')} has no hint`);
    }
    const missing = await runCli(['profile', 'add', 'x', `${az.serviceUrl}/logs`, '--auth', 'key'], { env });
    assert.match(missing.stderr, /--secret-stdin/);
    const forced = await runCli(['profile', 'add', 'dev', `${az.serviceUrl}/other`, '--auth', 'key', '--secret-stdin', '--force'], {
      env,
      input: AZURITE_KEY,
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /az:\/\/devstoreaccount1\/other/);
  });

  test('on a terminal, missing values are prompted for and the secret is not echoed (PTY via script(1))', async (t) => {
    if (spawnSync('script', ['--version']).status !== 0) {
      t.skip('script(1) from util-linux is not installed: no PTY to test prompts with');
      return;
    }
    const secret = Buffer.from('typed-at-a-hidden-prompt-0123').toString('base64');
    const child = spawn('script', ['-qec', `${process.execPath} ${BIN} profile add typed --auth key --container logs`, '/dev/null'], {
      env: cleanEnv({ ...env, CI: undefined }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const answered = new Set<string>();
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!answered.has('account') && out.includes('storage account name')) {
        answered.add('account');
        child.stdin.write('typedaccount\n');
      }
      if (!answered.has('key') && out.includes('account key (input hidden)')) {
        answered.add('key');
        child.stdin.write(`${secret}\n`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    transcript.push(out);
    assert.equal(code, 0, out);
    assert.match(out, /saved profile typed: az:\/\/typedaccount\/logs \(key\)/);
    assert.ok(!out.includes(secret), 'the secret was echoed');
    const stored = JSON.parse(await readFile(file(), 'utf8')).profiles.typed;
    assert.equal(stored.auth.accountKey, secret);
  });

  test("concurrent `profile add` runs do not lose each other's profile", async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => addKey(`p${i}`, `${az.serviceUrl}/logs`)));
    for (const r of rs) assert.equal(r.code, 0, r.stderr);
    const names = Object.keys(JSON.parse(await readFile(file(), 'utf8')).profiles).sort();
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  });

  test('no secret in any output of this suite', () => {
    const all = transcript.join('\n');
    assert.ok(!all.includes(AZURITE_KEY), 'account key leaked');
    assert.ok(!all.includes(WRONG_KEY), 'wrong key leaked');
    assert.ok(!all.includes(Buffer.from('typed-at-a-hidden-prompt-0123').toString('base64')), 'typed key leaked');
    assert.ok(sasSig && !all.includes(sasSig) && !all.includes(encodeURIComponent(sasSig)), 'SAS signature leaked');
  });
});
