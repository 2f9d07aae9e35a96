/**
 * `archive sas inspect` (pure parsing, every input shape, warnings, bad input) and
 * `archive sas create` against Azurite: the created URLs are used for real (list, pull, IP ranges).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, transcript } from './support/cli.js';
import { bothWays, runInProcess } from './support/io.js';
import { startAzurite, AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteEmulator } from './support/emulators.js';
import { seedAzure } from './support/seed.js';

const SIG = 'c2VjcmV0LXNpZ25hdHVyZS1mb3ItdGVzdHMtb25seQ%3D%3D';
const day = 86_400_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const q = (ms: number) => encodeURIComponent(iso(ms));

describe('sas inspect', () => {
  const containerSas = `sv=2025-05-05&st=${q(-day)}&se=${q(400 * day)}&sr=c&sp=wd&spr=https%2Chttp&sig=${SIG}`;

  test('a container URL: permissions spelled out, scope, times, protocol; signature redacted', async () => {
    const r = await runInProcess(['sas', 'inspect', `https://acmelogs.blob.core.windows.net/logpush/http?${containerSas}`], { env: {} });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^account:\s+acmelogs$/m);
    assert.match(r.stdout, /^container:\s+logpush$/m);
    assert.match(r.stdout, /^path:\s+http$/m);
    assert.match(r.stdout, /^kind:\s+service SAS$/m);
    assert.match(r.stdout, /^scope:\s+container \(sr=c\)$/m);
    assert.match(r.stdout, /^permissions:\s+wd: write, delete$/m);
    // 400 days from when this file loaded, less however long the run took to get here (rounded to the second).
    assert.match(r.stdout, /^expiry:\s+\S+ \((399d 23h|400d 0h) left\)$/m);
    assert.match(r.stdout, /^ip range:\s+any$/m);
    assert.match(r.stdout, /^protocol:\s+https,http$/m);
    assert.match(r.stdout, /^version:\s+2025-05-05$/m);
    assert.match(r.stdout, /^signature:\s+present \(REDACTED\)$/m);
    assert.match(r.stdout, /broader than needed: it can delete \(d\) as well as write/);
    assert.match(r.stdout, /allows plain HTTP/);
  });

  test('every input shape: bare token, ?token, azure:// destination, connection string, stdin', async () => {
    const shapes = [
      containerSas,
      `?${containerSas}`,
      `azure://logpush/http_requests?${containerSas}`,
      `BlobEndpoint=https://acmelogs.blob.core.windows.net/;SharedAccessSignature=${containerSas}`,
    ];
    for (const s of shapes) {
      const r = await runInProcess(['sas', 'inspect', s, '--json'], { env: {} });
      assert.equal(r.code, 0, `${s}: ${r.stderr}`);
      const j = JSON.parse(r.stdout);
      assert.equal(j.permissions, 'wd');
      assert.equal(j.kind, 'service');
      assert.equal(j.signature, 'REDACTED');
      assert.match(j.token, /sig=REDACTED$/);
    }
    const cf = JSON.parse(
      (await runInProcess(['sas', 'inspect', `azure://logpush/http_requests?${containerSas}`, '--json'], { env: {} })).stdout,
    );
    assert.equal(cf.container, 'logpush');
    assert.equal(cf.path, 'http_requests');
    const stdin = await runInProcess(['sas', 'inspect', '--json'], { env: {}, input: `${containerSas}\n` });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(JSON.parse(stdin.stdout).permissions, 'wd');
  });

  test('the spawned binary answers as the in-process run (stdin, a report, a malformed token)', async () => {
    const cases: Array<[string[], string | undefined]> = [
      [['sas', 'inspect', '--json'], `${containerSas}\n`],
      // Half an hour past a whole day: "400d 0h left" whichever second each run reads the clock.
      [
        ['sas', 'inspect', `?sv=2025-05-05&se=${q(400 * day + 30 * 60_000)}&sr=c&sp=wd&spr=https&sig=${SIG}`, '--for', 'logpush'],
        undefined,
      ],
      [['sas', 'inspect', 'not-a-sas'], undefined],
    ];
    for (const [argv, input] of cases) {
      const { inProcess, spawned } = await bothWays(argv, { env: {}, input });
      // secondsLeft ticks between the two runs; everything else is the same bytes.
      const steady = (s: string) => s.replace(/"secondsLeft": \d+/, '"secondsLeft": N');
      assert.deepEqual(
        { code: inProcess.code, stdout: steady(inProcess.stdout), stderr: inProcess.stderr },
        { code: spawned.code, stdout: steady(spawned.stdout), stderr: spawned.stderr },
        argv.join(' '),
      );
    }
  });

  test('warnings: account scope and other services, expiring within --warn-days, purpose checks', async () => {
    const account = `sv=2025-05-05&ss=bfqt&srt=sco&sp=rwdlacup&se=${q(10 * day)}&spr=https&sig=${SIG}`;
    const r = await runInProcess(['sas', 'inspect', account, '--json'], { env: {} });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout);
    assert.equal(j.kind, 'account');
    assert.deepEqual(j.services, ['blob', 'file', 'queue', 'table']);
    assert.deepEqual(j.resourceTypes, ['service', 'container', 'object']);
    const codes = j.warnings.map((w: { code: string }) => w.code);
    assert.deepEqual([...codes].sort(), ['account-scope', 'delete-on-write', 'expiring', 'other-services']);
    const quiet = JSON.parse((await runInProcess(['sas', 'inspect', account, '--json', '--warn-days', '5'], { env: {} })).stdout);
    assert.ok(!quiet.warnings.some((w: { code: string }) => w.code === 'expiring'));

    const lp = JSON.parse((await runInProcess(['sas', 'inspect', containerSas, '--for', 'logpush', '--json'], { env: {} })).stdout);
    const lpCodes = lp.warnings.map((w: { code: string }) => w.code);
    assert.deepEqual(lpCodes.filter((c: string) => c.startsWith('purpose')).sort(), ['purpose-broader', 'purpose-short']);
    const rd = JSON.parse((await runInProcess(['sas', 'inspect', containerSas, '--for', 'reader', '--json'], { env: {} })).stdout);
    assert.equal(rd.warnings.filter((w: { code: string }) => w.code === 'purpose-missing').length, 2);
  });

  test('user-delegation token details; IP range', async () => {
    const ud = `sv=2025-05-05&sr=c&sp=rl&se=${q(2 * day)}&sip=203.0.113.0-203.0.113.255&skoid=11111111-2222-3333-4444-555555555555&sktid=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee&skt=${q(-60_000)}&ske=${q(2 * day)}&sks=b&skv=2025-05-05&sig=${SIG}`;
    const r = await runInProcess(['sas', 'inspect', ud], { env: {} });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^kind:\s+user-delegation SAS$/m);
    assert.match(r.stdout, /^ip range:\s+203\.0\.113\.0-203\.0\.113\.255$/m);
    assert.match(r.stdout, /^delegated by:\s+object 11111111-2222-3333-4444-555555555555 in tenant aaaaaaaa-/m);
  });

  test('expired → exit 3; malformed → exit 2; the signature never printed', async () => {
    const expired = await runInProcess(['sas', 'inspect', `sv=2025-05-05&sr=c&sp=r&se=${q(-3 * day)}&sig=${SIG}`], { env: {} });
    assert.equal(expired.code, 3);
    assert.match(expired.stdout, /expired 3d 0h ago/);
    assert.match(expired.stderr, /^archive: the SAS expired 3d 0h ago .*\(SasExpired\)$/m);
    const bad: Array<[string, RegExp]> = [
      [`sv=2025-05-05&sr=c&sp=r&se=${q(day)}`, /no signature \(sig=\)/],
      [`sv=2025-05-05&sr=c&sp=r&se=tomorrow&sig=${SIG}`, /se=tomorrow is not a time/],
      [`sr=c&sp=r&se=${q(day)}&sig=${SIG}`, /no signed version \(sv=\)/],
      [`sv=2025-05-05&sr=c&sp=r&sig=${SIG}`, /no expiry \(se=\)/],
      [`sv=2025-05-05&ss=b&sp=r&se=${q(day)}&sig=${SIG}`, /needs both ss= and srt=/],
      ['hello world', /not a SAS token/],
      ['https://acmelogs.blob.core.windows.net/logs', /has no SAS token/],
    ];
    for (const [input, re] of bad) {
      const r = await runInProcess(['sas', 'inspect', input], { env: {} });
      assert.equal(r.code, 2, `${input}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /^hint: /m);
    }
    const all = transcript.join('\n');
    assert.ok(!all.includes(SIG) && !all.includes(decodeURIComponent(SIG)), 'signature printed');
  });
});

/** `sas create` prints the token on stdout only: its stderr (the summary) must hold no signature. */
function noSigOnStderr(r: { stdout: string; stderr: string }): void {
  const sigs = [...r.stdout.matchAll(/sig=([^&\s"]+)/g)].map((m) => m[1]);
  assert.ok(sigs.length > 0, `no token on stdout: ${r.stdout}`);
  for (const sig of sigs)
    for (const form of [sig, decodeURIComponent(sig), encodeURIComponent(decodeURIComponent(sig))])
      assert.ok(!r.stderr.includes(form), `the signature is on stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /sig=/);
}

describe('sas create on Azurite', () => {
  let emu: AzuriteEmulator;
  let dest: string;
  const keyEnv = () => ({ AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY });
  before(async () => {
    emu = await startAzurite({ inMemory: true });
    await seedAzure(emu, 'logs', [
      { key: 'http_requests/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz', body: 'cloudflare-bytes\n' },
      { key: 'readme.txt', body: 'hello reader\n' },
    ]);
    dest = await mkdtemp(join(tmpdir(), 'archive-sas-pull-'));
  });
  after(async () => {
    await emu?.stop();
    if (dest) await rm(dest, { recursive: true, force: true });
  });

  test('--for reader: an rl token that lists and pulls, and cannot write', async () => {
    const c = await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs`, '--for', 'reader', '--expires', '2d'], { env: keyEnv() });
    assert.equal(c.code, 0, c.stderr);
    noSigOnStderr(c);
    const url = c.stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/logs\?sv=2025-05-05&/);
    assert.match(
      c.stderr,
      /^created a service SAS \(account key\) for az:\/\/devstoreaccount1\/logs: rl, expires \S+ \((2d 0h|1d 23h) left\)$/m,
    );
    const info = JSON.parse((await runInProcess(['sas', 'inspect', url, '--json'], { env: {} })).stdout);
    assert.equal(info.permissions, 'rl');
    assert.equal(info.resource, 'c');
    assert.equal(info.protocol, 'https,http', 'an http emulator endpoint needs http');

    const list = await runInProcess(['list', url, '--ndjson'], { env: {} });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).key)
        .sort(),
      ['http_requests/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz', 'readme.txt'],
    );
    // validate stays spawned until it takes the Io (branch creds); then it can run in-process too.
    const v = await runCli(['validate', url, '--require', 'list,read'], { env: {} });
    assert.equal(v.code, 0, v.stderr + v.stdout);
    assert.match(v.stdout, /^write\s+✗\s+AuthorizationPermissionMismatch/m);

    const p = await runInProcess(['pull', url, dest, '--quiet'], { env: {} });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(await readFile(join(dest, 'readme.txt'), 'utf8'), 'hello reader\n');
    assert.equal(
      await readFile(join(dest, 'http_requests/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz'), 'utf8'),
      'cloudflare-bytes\n',
    );
  });

  test('--for logpush: write-only, ≥ 5 years, container scope, Cloudflare destination format; it writes', async () => {
    const c = await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs/http_requests`, '--for', 'logpush', '--format', 'json'], {
      env: keyEnv(),
    });
    assert.equal(c.code, 0, c.stderr);
    noSigOnStderr(c);
    const j = JSON.parse(c.stdout);
    assert.equal(j.permissions, 'w');
    assert.equal(j.preset, 'logpush');
    const fiveYears = new Date();
    fiveYears.setUTCFullYear(fiveYears.getUTCFullYear() + 5);
    assert.ok(new Date(j.expiry) >= fiveYears, `${j.expiry} is less than 5 years away`);
    assert.match(j.cloudflare, /^azure:\/\/logs\/http_requests\?sv=/);
    assert.match(c.stderr, /prefix: it covers the whole container "logs"/);
    const insp = JSON.parse((await runInProcess(['sas', 'inspect', j.cloudflare, '--for', 'logpush', '--json'], { env: {} })).stdout);
    assert.deepEqual(
      insp.warnings.filter((w: { code: string }) => w.code.startsWith('purpose')),
      [],
      'the preset satisfies its own purpose check',
    );
    const v = await runCli(['validate', j.url, '--require', 'write', '--json'], { env: {} });
    assert.equal(v.code, 0, v.stderr);
    const doc = JSON.parse(v.stdout);
    assert.equal(doc.probes.find((p: { name: string }) => p.name === 'write').status, 'ok');
    assert.equal(doc.leftovers.length, 1, 'a write-only token cannot remove its probe, and says so');
    const cf = await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs/http_requests`, '--for', 'logpush', '--format', 'cloudflare'], {
      env: keyEnv(),
    });
    noSigOnStderr(cf);
    assert.match(cf.stdout.trim(), /^azure:\/\/logs\/http_requests\?sv=2025-05-05&.*sp=w&sig=/);
  });

  test('--ip is signed into the token (Azurite does not enforce sip: its validateIPRange is a TODO)', async () => {
    const c = await runInProcess(
      [
        'sas',
        'create',
        `${emu.serviceUrl}/logs`,
        '--permissions',
        'rl',
        '--ip',
        '203.0.113.0-203.0.113.255',
        '--expires',
        '1h',
        '--format',
        'json',
      ],
      { env: keyEnv() },
    );
    assert.equal(c.code, 0, c.stderr);
    noSigOnStderr(c);
    const j = JSON.parse(c.stdout);
    assert.deepEqual(j.ip, { start: '203.0.113.0', end: '203.0.113.255' });
    const info = JSON.parse((await runInProcess(['sas', 'inspect', j.url, '--json'], { env: {} })).stdout);
    assert.equal(info.ip, '203.0.113.0-203.0.113.255');
    // The signature covers sip: editing the range invalidates the token.
    const tampered = j.url.replace('sip=203.0.113.0-203.0.113.255', 'sip=0.0.0.0-255.255.255.255');
    assert.notEqual(tampered, j.url);
    const r = await runInProcess(['list', tampered], { env: {} });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^archive: list .*: permission denied \(AuthorizationFailure\)$/m);
  });

  test('refusals: from a SAS, for S3, no permissions, bad letters, past or short expiry, bad IP', async () => {
    const sasUrl = (
      await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'r', '--format', 'url'], { env: keyEnv() })
    ).stdout.trim();
    const cases: Array<[string[], RegExp]> = [
      [['sas', 'create', sasUrl, '--permissions', 'r'], /cannot create a SAS from a SAS/],
      [['sas', 'create', 's3://bucket', '--permissions', 'r'], /SAS tokens are an Azure Storage feature/],
      [['sas', 'create', `${emu.serviceUrl}/logs`], /say what the token may do/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'rq'], /unknown SAS permission "q"/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'r', '--expires', '2020-01-01'], /is in the past/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--for', 'logpush', '--expires', '1y'], /at least 5 years/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--for', 'writer'], /unknown preset "writer"/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'r', '--ip', '10.0.0.300'], /not an IPv4 address/],
      [['sas', 'create', `${emu.serviceUrl}`, '--permissions', 'r'], /which container/],
      [['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'r', '--format', 'xml'], /unknown format/],
    ];
    for (const [args, re] of cases) {
      const r = await runInProcess(args, { env: keyEnv() });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /^hint: /m);
      assert.equal(r.stdout, '', 'no token on a refusal');
    }
    // A wrong account key signs a token the service rejects: exit 3 when used, with the SAS hint.
    const wrong = await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'rl'], {
      env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: Buffer.from('wrong-key-wrong-key-wrong').toString('base64') },
    });
    assert.equal(wrong.code, 0);
    const use = await runInProcess(['list', wrong.stdout.trim()], { env: {} });
    assert.equal(use.code, 3);
    // Azurite answers a bad signature as the cloud does: 403 AuthorizationFailure.
    assert.match(use.stderr, /^archive: list .*: permission denied \(AuthorizationFailure\)$/m);
  });

  test('no account key in any output of this suite, in any encoding', async () => {
    // Its own runs that hold the key (a success, a verbose one, a failure), so the check never
    // passes on an empty transcript (run alone, or first), and everything the suite printed so far.
    const runs = [
      await runInProcess(['sas', 'create', `${emu.serviceUrl}/logs`, '--for', 'reader'], { env: keyEnv() }),
      await runInProcess(['--verbose', 'sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'rl'], { env: keyEnv() }),
      await runInProcess(['--verbose', 'sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'zz'], { env: keyEnv() }),
    ];
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0, 2],
      runs.map((r) => r.stderr).join('\n'),
    );
    const all = transcript.join('\n');
    assert.ok(runs.every((r) => all.includes(r.stderr)));
    const raw = Buffer.from(AZURITE_KEY, 'base64');
    for (const form of [AZURITE_KEY, encodeURIComponent(AZURITE_KEY), raw.toString('hex'), raw.toString('base64url')])
      assert.ok(!all.includes(form), 'the account key is in the output');
  });
});
