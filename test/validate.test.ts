/**
 * `archive validate` against real services: Azurite (account key, connection string, SAS tokens
 * of different permissions, an expired SAS) and s3rver behind test/support/s3-iam.ts, a loopback
 * proxy that adds what s3rver lacks — SigV4 signature checks, per-key action allow-lists (to get
 * real AccessDenied answers), session tokens and STS AssumeRole with an external id.
 *
 * Not shown here: Azure RBAC denials (Azurite has no RBAC: a valid key or token may do anything;
 * the role-name hints are exercised through the same code path with SAS letters), firewall
 * AuthorizationFailure with an IP (Azurite has no firewall), S3 bucket policies.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSASPermissions, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { runCli, transcript, cleanEnv, BIN } from './support/cli.js';
import { runValidateCli } from './support/validate-run.js';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAzurite, startS3rver, AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteEmulator, type S3Emulator } from './support/emulators.js';
import { azureService, seedAzure, seedS3, s3Client } from './support/seed.js';
import { startS3Iam, ALL_ACTIONS, type S3Iam } from './support/s3-iam.js';

const CF_LOG = 'http_requests/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz';
const CF_CHALLENGE = 'http_requests/ownership-challenge-1a2b3c4d.txt';
const CF_TOKEN = 'cf-challenge-token-5f2e9a71';

function sasFor(emu: AzuriteEmulator, perms: string, expiresOn: Date, startsOn?: Date): string {
  const token = generateBlobSASQueryParameters(
    {
      containerName: 'logs',
      permissions: ContainerSASPermissions.parse(perms),
      expiresOn,
      startsOn,
      protocol: SASProtocol.HttpsAndHttp,
      version: '2025-05-05',
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  ).toString();
  return `${emu.serviceUrl}/logs?${token}`;
}

function sigOf(url: string): string {
  return new URL(url).searchParams.get('sig') ?? '';
}

async function probeLeftoversIn(emu: AzuriteEmulator, container: string): Promise<string[]> {
  const out: string[] = [];
  for await (const b of azureService(emu).getContainerClient(container).listBlobsFlat())
    if (b.name.includes('.archive-validate/')) out.push(b.name);
  return out;
}

async function probeLeftovers(emu: AzuriteEmulator): Promise<string[]> {
  const out: string[] = [];
  for await (const b of azureService(emu).getContainerClient('logs').listBlobsFlat())
    if (b.name.includes('.archive-validate/')) out.push(b.name);
  return out;
}

function rows(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const r = /^([a-z]+(?: [\w.-]+)?)\*?\s+([✓✗–!])/.exec(l);
    if (r) m.set(r[1], l);
  }
  return m;
}

describe('validate on Azurite', () => {
  let emu: AzuriteEmulator;
  const sigs: string[] = [];
  before(async () => {
    emu = await startAzurite({ inMemory: true });
    await seedAzure(emu, 'logs', [
      { key: CF_LOG, body: 'gz-bytes' },
      { key: CF_CHALLENGE, body: `${CF_TOKEN}\n` },
    ]);
  });
  after(async () => emu?.stop());

  const keyEnv = () => ({ AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY });

  test('account key: every probe passes and the probe object is gone', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/logs`, '--json'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, true);
    assert.equal(doc.auth, 'account key');
    assert.deepEqual(
      doc.probes.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['list:ok', 'read:ok', 'write:ok', 'delete:ok'],
    );
    const write = doc.probes.find((p: { name: string }) => p.name === 'write');
    assert.match(write.key, /^\.archive-validate\/[0-9a-f]{12}\/probe\.txt$/);
    assert.deepEqual(doc.leftovers, []);
    assert.deepEqual(await probeLeftovers(emu), []);
  });

  test('connection string: table on stdout, exit 0', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/logs/http_requests/`], { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString });
    assert.equal(r.code, 0, r.stderr);
    const t = rows(r.stdout);
    for (const p of ['list', 'read', 'write', 'delete']) assert.match(t.get(p) ?? '', /✓/, `${p}: ${r.stdout}`);
    assert.match(t.get('write') ?? '', /http_requests\/\.archive-validate\//, 'the probe goes under the location prefix');
    assert.match(r.stdout, /^PROBE\s+OK\s+CODE\s+DETAIL$/m);
  });

  test('write-only SAS: list/read ✗ with the SAS letters, --require list,read → exit 3; probe left behind is named', async () => {
    const c = await runCli(['sas', 'create', `${emu.serviceUrl}/logs`, '--permissions', 'w', '--expires', '1d'], { env: keyEnv() });
    assert.equal(c.code, 0, c.stderr);
    const url = c.stdout.trim();
    sigs.push(sigOf(url));
    assert.ok(
      !c.stderr.includes(sigOf(url)) && !c.stderr.includes(encodeURIComponent(sigOf(url))) && !/sig=/.test(c.stderr),
      `sas create put the signature on stderr: ${c.stderr}`,
    );
    const r = await runValidateCli([url, '--require', 'list,read'], {});
    assert.equal(r.code, 3, r.stderr + r.stdout);
    const t = rows(r.stdout);
    assert.match(t.get('list') ?? '', /✗\s+AuthorizationPermissionMismatch\s+the SAS lacks permission for list: .*letter l/);
    assert.match(t.get('read') ?? '', /✗\s+AuthorizationPermissionMismatch\s+the SAS lacks permission for read: .*letter r/);
    assert.match(t.get('write') ?? '', /✓/);
    assert.match(t.get('delete') ?? '', /✗\s+AuthorizationPermissionMismatch\s+.*letter d/);
    assert.match(r.stdout, /^left behind: \.archive-validate\/[0-9a-f]{12}\/probe\.txt/m);
    assert.match(
      r.stderr,
      /^archive: required probes failed: list \(AuthorizationPermissionMismatch\), read \(AuthorizationPermissionMismatch\)$/m,
    );
    assert.match(r.stderr, /^hint: the SAS lacks permission for list/m);
    // Only what is required decides: the same token passes a write-only requirement.
    const w = await runValidateCli([url, '--require', 'write', '--json'], {});
    assert.equal(w.code, 0, w.stderr);
    const doc = JSON.parse(w.stdout);
    assert.equal(doc.leftovers.length, 1);
    assert.equal(doc.sas.permissions, 'w');
    // clean up what the write-only token could not
    for (const k of await probeLeftovers(emu)) await azureService(emu).getContainerClient('logs').deleteBlob(k);
  });

  test('read-only SAS: write ✗ (w letter); --no-write passes; --require contradictions are usage errors', async () => {
    const url = sasFor(emu, 'rl', new Date(Date.now() + 86_400_000));
    sigs.push(sigOf(url));
    const r = await runValidateCli([url], {});
    assert.equal(r.code, 3, r.stdout);
    const t = rows(r.stdout);
    assert.match(t.get('list') ?? '', /✓/);
    assert.match(t.get('read') ?? '', /✓\s+read \d+ B of http_requests\//);
    assert.match(t.get('write') ?? '', /✗\s+AuthorizationPermissionMismatch\s+the SAS lacks permission for write: .*letter w/);
    assert.match(t.get('sas expiry') ?? '', /!\s+.*left\)/, 'expires within --warn-days 30');
    assert.match(
      r.stderr,
      /^archive: probes failed: write \(AuthorizationPermissionMismatch\), delete \(AuthorizationPermissionMismatch\)$/m,
    );

    const ro = await runValidateCli([url, '--no-write', '--require', 'list,read'], {});
    assert.equal(ro.code, 0, ro.stderr + ro.stdout);
    assert.ok(!rows(ro.stdout).has('write'));

    const bad1 = await runValidateCli([url, '--no-write', '--require', 'write'], {});
    assert.equal(bad1.code, 2);
    assert.match(bad1.stderr, /^archive: --require write contradicts --no-write/m);
    const bad2 = await runValidateCli([url, '--require', 'list,nope'], {});
    assert.equal(bad2.code, 2);
    assert.match(bad2.stderr, /^hint: probes: list, read, write, delete, marker, challenge/m);
  });

  test('expired SAS: every probe ✗ with the expiry named, exit 3; sas inspect agrees', async () => {
    const url = sasFor(emu, 'racwdl', new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 10 * 86_400_000));
    sigs.push(sigOf(url));
    const r = await runValidateCli([url, '--json'], {});
    assert.equal(r.code, 3, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.sas.expired, true);
    const list = doc.probes.find((p: { name: string }) => p.name === 'list');
    assert.equal(list.status, 'fail');
    assert.match(list.code, /AuthorizationFailure|AuthenticationFailed/);
    assert.match(list.hint, /^the SAS expired 2d 0h ago/);
    assert.match(r.stderr, /^hint: the SAS expired/m);
    const i = await runCli(['sas', 'inspect', url], { env: {} });
    assert.equal(i.code, 3);
    assert.match(i.stderr, /^archive: the SAS expired 2d 0h ago .* \(SasExpired\)$/m);
  });

  test('a later probe failing still cleans up: SAS with c/w/d but no r/l', async () => {
    const url = sasFor(emu, 'cwd', new Date(Date.now() + 86_400_000));
    sigs.push(sigOf(url));
    const r = await runValidateCli([url, '--json'], {});
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout);
    const by = Object.fromEntries(doc.probes.map((p: { name: string; status: string }) => [p.name, p]));
    assert.equal(by.write.status, 'ok');
    assert.equal(by.read.status, 'fail', 'reading back the probe needs r');
    assert.match(by.read.detail, /^read back the probe object/);
    assert.equal(by.delete.status, 'ok');
    assert.deepEqual(doc.leftovers, []);
    assert.ok(!(await probeLeftovers(emu)).includes(by.write.key), 'the probe object outlived the run');
  });

  test('Ctrl-C after the write: exit 130 and the probe object is still removed', async () => {
    await seedAzure(emu, 'empty', []);
    // A proxy that holds the read-back of the probe object for 20 s, so the interrupt lands
    // between the write and the delete.
    const up = new URL(emu.serviceUrl);
    const server = createServer((req, res) => {
      const forward = () => {
        const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        fwd.on('error', () => res.destroy());
        req.pipe(fwd);
      };
      if (req.method === 'GET' && (req.url ?? '').includes('.archive-validate')) setTimeout(forward, 20_000).unref();
      else forward();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxy = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
    try {
      const child = spawn(process.execPath, [BIN, 'validate', `${proxy.url}/devstoreaccount1/empty`], {
        env: cleanEnv(keyEnv()),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const cc = azureService(emu).getContainerClient('empty');
      let probe: string | undefined;
      for (let i = 0; i < 200 && !probe; i++) {
        for await (const b of cc.listBlobsFlat()) probe = b.name;
        if (!probe) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(probe, 'the probe object never appeared');
      await new Promise((r) => setTimeout(r, 300)); // the slow read-back is under way
      child.kill('SIGINT');
      const code = await closed;
      transcript.push(out);
      assert.equal(code, 130, out);
      assert.match(out, /^archive: validate interrupted/m);
      const left: string[] = [];
      for await (const b of cc.listBlobsFlat()) left.push(b.name);
      assert.deepEqual(left, [], 'the probe object outlived the interrupt');
    } finally {
      await proxy.close();
    }
  });

  test('--no-write writes nothing: no probe object, the container holds exactly what it held', async () => {
    const keys = async () => {
      const out: string[] = [];
      for await (const b of azureService(emu).getContainerClient('logs').listBlobsFlat()) out.push(b.name);
      return out.sort();
    };
    const before = await keys();
    const r = await runValidateCli([`${emu.serviceUrl}/logs`, '--no-write', '--json'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).probes.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['list:ok', 'read:ok'],
    );
    assert.deepEqual(await keys(), before);
  });

  test('Azure RBAC denials name the role to grant (Azurite has no RBAC: a proxy answers as the cloud does for a Reader)', async () => {
    // What Azure Storage answers a principal whose role lacks the data action: 403 with
    // x-ms-error-code AuthorizationPermissionMismatch. Everything else reaches Azurite.
    const up = new URL(emu.serviceUrl);
    let deny: (req: import('node:http').IncomingMessage) => boolean = () => false;
    const server = createServer((req, res) => {
      if (deny(req)) {
        req.resume();
        res.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': 'AuthorizationPermissionMismatch' });
        res.end(
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>',
        );
        return;
      }
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${AZURITE_ACCOUNT}/logs`;
    try {
      // A "Storage Blob Data Reader": writes and deletes refused.
      deny = (req) => req.method === 'PUT' || req.method === 'DELETE';
      const reader = await runValidateCli([url, '--json'], keyEnv());
      assert.equal(reader.code, 3, reader.stderr);
      const by = Object.fromEntries(JSON.parse(reader.stdout).probes.map((p: { name: string }) => [p.name, p]));
      assert.equal(by.list.status, 'ok');
      assert.equal(by.read.status, 'ok');
      assert.equal(by.write.code, 'AuthorizationPermissionMismatch');
      assert.equal(by.write.hint, 'grant the principal the "Storage Blob Data Contributor" role on the container or account (Azure RBAC)');
      // No role at all on the data plane: listing refused, and the hint names the Reader role.
      deny = () => true;
      const none = await runCli(['list', url], { env: keyEnv() });
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /^archive: list .*: permission denied \(AuthorizationPermissionMismatch\)$/m);
      assert.match(
        none.stderr,
        /^hint: grant the principal the "Storage Blob Data Reader" role on the container or account \(Azure RBAC\)$/m,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('Cloudflare ownership challenge: token found and printed; without list, the file name is asked for', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/logs/http_requests`, '--challenge', '--no-write'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^challenge token: ${CF_TOKEN}$`, 'm'));
    assert.match(rows(r.stdout).get('challenge') ?? '', new RegExp(`✓.*${CF_CHALLENGE.replace(/\//g, '\\/')}`));

    const wOnly = sasFor(emu, 'w', new Date(Date.now() + 86_400_000));
    sigs.push(sigOf(wOnly));
    const noList = await runValidateCli([wOnly, '--challenge', '--no-write', '--require', 'challenge'], {});
    assert.equal(noList.code, 3);
    assert.match(rows(noList.stdout).get('challenge') ?? '', /✗.*--challenge ownership-challenge-XXXXXXXX\.txt/);

    const rOnly = sasFor(emu, 'r', new Date(Date.now() + 86_400_000));
    sigs.push(sigOf(rOnly));
    const named = await runValidateCli(
      [
        rOnly.replace('/logs?', '/logs/http_requests?'),
        '--challenge',
        'ownership-challenge-1a2b3c4d.txt',
        '--no-write',
        '--require',
        'challenge',
        '--json',
      ],
      {},
    );
    assert.equal(named.code, 0, named.stderr + named.stdout);
    assert.equal(JSON.parse(named.stdout).challenge.token, CF_TOKEN);
  });

  test('missing container → exit 4; marker missing → exit 4 with the marker hint', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/nope`], keyEnv());
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stdout, /ContainerNotFound/);
    const m = await runValidateCli([`${emu.serviceUrl}/logs`, '--no-write', '--marker', 'logzio-verified'], keyEnv());
    assert.equal(m.code, 4, m.stderr);
    assert.match(m.stderr, /^archive: probe failed: marker logzio-verified \(BlobNotFound\)$/m);
    assert.match(m.stderr, /^hint: Logz\.io writes logzio-verified/m);
  });

  // #12: the ownership challenge without --challenge, the verdict line, -o/--output.
  const CF_LOGPUSH = 'http_requests/20260105/20260105T165500Z_20260105T170000Z_1a2b3c4d.log.gz';

  test('a challenge directly under the location is found without --challenge; token printed; verdict is the last line', async () => {
    await seedAzure(emu, 'cfone', [
      { key: CF_LOGPUSH, body: 'gz-bytes' },
      { key: 'http_requests/ownership-challenge-5e5e5e5e.txt', body: 'token-one-8c1f\n' },
    ]);
    const r = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, '--no-write'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        'validate az://devstoreaccount1/cfone/http_requests with account key',
        'PROBE      OK  CODE  DETAIL',
        'list       ✓         2 objects under http_requests',
        `read       ✓         read 8 B of ${CF_LOGPUSH}`,
        'challenge  ✓         token token-one-8c1f (from http_requests/ownership-challenge-5e5e5e5e.txt)',
        'challenge token: token-one-8c1f',
        'verdict: ready: list, read ok; Cloudflare ownership token above',
        '',
      ].join('\n'),
    );
    // With write allowed too, the location is evidently a working Logpush destination.
    const w = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`], keyEnv());
    assert.equal(w.code, 0, w.stderr);
    const lines = w.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'verdict: ready for Cloudflare Logpush: list, read, write, delete ok; ownership token above');
    assert.equal(lines.at(-2), 'challenge token: token-one-8c1f');
    assert.deepEqual(await probeLeftoversIn(emu, 'cfone'), []);
    // --json carries the token and the verdict; -o json is the same document.
    const j = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, '--no-write', '--json'], keyEnv());
    const o = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, '--no-write', '-o', 'json'], keyEnv());
    assert.equal(j.code, 0);
    assert.equal(o.code, 0);
    const doc = JSON.parse(j.stdout);
    const noMs = (d: { probes: Array<{ ms?: number }> }) => ({ ...d, probes: d.probes.map((p) => ({ ...p, ms: 0 })) });
    assert.deepEqual(noMs(JSON.parse(o.stdout)), noMs(doc));
    assert.deepEqual(doc.challenge, { key: 'http_requests/ownership-challenge-5e5e5e5e.txt', token: 'token-one-8c1f' });
    assert.equal(doc.verdict, 'ready: list, read ok; Cloudflare ownership token above');
    assert.deepEqual(doc.required, ['list', 'read'], 'a challenge found without being asked for is reported, not required');
  });

  test('no challenge under the location: no challenge row, no token line, the verdict still last', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests/20260105`, '--no-write'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        'validate az://devstoreaccount1/cfone/http_requests/20260105 with account key',
        'PROBE  OK  CODE  DETAIL',
        'list   ✓         1 object under http_requests/20260105',
        `read   ✓         read 8 B of ${CF_LOGPUSH}`,
        'verdict: ready: list, read ok',
        '',
      ].join('\n'),
    );
    // Asked for with --challenge, a missing file is still a failure (exit 4) and says so.
    const asked = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests/20260105`, '--no-write', '--challenge'], keyEnv());
    assert.equal(asked.code, 4, asked.stderr);
    assert.equal(asked.stdout.trimEnd().split('\n').at(-1), 'verdict: NOT ready: challenge not found (ChallengeNotFound)');
    assert.equal(
      asked.stderr,
      'archive: probe failed: challenge (ChallengeNotFound)\nhint: start the Logpush job setup in the Cloudflare dashboard (it writes the file when you enter the destination), then run this again\n',
    );
  });

  test('two challenges: the newest is printed and the older one named (equal times: the first in key order)', async () => {
    await seedAzure(emu, 'cftwo', [{ key: 'logs/ownership-challenge-ffff0000.txt', body: 'token-older\n' }]);
    // Last-modified times have a one-second resolution: the second file must be a second newer.
    const cc = azureService(emu).getContainerClient('cftwo');
    const first = (await cc.getBlobClient('logs/ownership-challenge-ffff0000.txt').getProperties()).lastModified as Date;
    while (Date.now() < first.getTime() + 1100) await new Promise((r) => setTimeout(r, 100));
    await seedAzure(emu, 'cftwo', [{ key: 'logs/ownership-challenge-0000ffff.txt', body: 'token-newer\n' }]);
    const r = await runValidateCli([`${emu.serviceUrl}/cftwo/logs/`, '--no-write', '--json'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.challenge, {
      key: 'logs/ownership-challenge-0000ffff.txt',
      token: 'token-newer',
      others: ['logs/ownership-challenge-ffff0000.txt'],
    });
    const t = await runValidateCli([`${emu.serviceUrl}/cftwo/logs/`, '--no-write'], keyEnv());
    assert.match(
      t.stdout,
      /^challenge {2}✓ {9}token token-newer \(from logs\/ownership-challenge-0000ffff\.txt; the newest of 2, also logs\/ownership-challenge-ffff0000\.txt\)$/m,
    );
    assert.match(t.stdout, /^challenge token: token-newer\nverdict: ready: list, read ok; Cloudflare ownership token above\n$/m);
  });

  test('a permission failure: the verdict names each refused probe, stderr the first fix, exit 3', async () => {
    // sasFor signs for the container "logs": this one is for cfone.
    const token = generateBlobSASQueryParameters(
      {
        containerName: 'cfone',
        permissions: ContainerSASPermissions.parse('rl'),
        expiresOn: new Date(Date.now() + 86_400_000),
        protocol: SASProtocol.HttpsAndHttp,
        version: '2025-05-05',
      },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const rl = `${emu.serviceUrl}/cfone/http_requests?${token}`;
    sigs.push(sigOf(rl));
    const r = await runValidateCli([rl], {});
    assert.equal(r.code, 3, r.stderr + r.stdout);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(
      lines.at(-1),
      'verdict: NOT ready: write denied (AuthorizationPermissionMismatch), delete denied (AuthorizationPermissionMismatch)',
    );
    assert.equal(lines.at(-2), 'challenge token: token-one-8c1f', 'a read-list SAS still finds and reads the challenge');
    assert.equal(
      r.stderr,
      [
        'archive: probes failed: write (AuthorizationPermissionMismatch), delete (AuthorizationPermissionMismatch)',
        'hint: the SAS lacks permission for write: create one with the letter w (and c) (`archive sas create --permissions …`)',
        '',
      ].join('\n'),
    );
    const j = await runValidateCli([rl, '-o', 'json'], {});
    assert.equal(j.code, 3);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.verdict, 'NOT ready: write denied (AuthorizationPermissionMismatch), delete denied (AuthorizationPermissionMismatch)');
    assert.deepEqual(await probeLeftoversIn(emu, 'cfone'), []);
  });

  test('-o ndjson: one line per probe, then the result with the verdict; conflicting formats are a usage error', async () => {
    const r = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, '--no-write', '-o', 'ndjson'], keyEnv());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => `${l.type}:${l.name ?? ''}:${l.status ?? ''}`),
      ['probe:list:ok', 'probe:read:ok', 'probe:challenge:ok', 'result::'],
    );
    assert.equal(lines.at(-1).verdict, 'ready: list, read ok; Cloudflare ownership token above');
    assert.equal(lines.at(-1).challenge.token, 'token-one-8c1f');
    for (const [args, err] of [
      [['-o', 'table', '--json'], 'archive: conflicting output formats: -o table and --json'],
      [['-o', 'ndjson', '--json'], 'archive: conflicting output formats: -o ndjson and --json'],
    ] as const) {
      const bad = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, ...args], keyEnv());
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stdout, '');
      assert.equal(bad.stderr, `${err}\nhint: choose one output format\n`);
    }
    const unknown = await runValidateCli([`${emu.serviceUrl}/cfone/http_requests`, '-o', 'csv'], keyEnv());
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(
      unknown.stderr,
      /^archive: option '-o, --output <format>' argument 'csv' is invalid\. Allowed choices are table, json, ndjson\.$/m,
    );
    assert.deepEqual(await probeLeftoversIn(emu, 'cfone'), [], 'a usage error writes nothing');
  });

  test('no secret in any output of this suite', () => {
    const all = transcript.join('\n');
    assert.ok(!all.includes(AZURITE_KEY), 'account key leaked');
    // Signatures of the SAS used as input (not the one `sas create` printed as its result).
    for (const s of sigs.filter((x) => x)) {
      const printedAsResult = transcript.filter(
        (t) => t.includes(s) && /^https?:\/\/\S+sig=/.test(t.trim()) && t.trim().split('\n').length === 1,
      );
      const leaks = transcript.filter((t) => (t.includes(s) || t.includes(decodeURIComponent(s))) && !printedAsResult.includes(t));
      assert.deepEqual(leaks, [], `signature leaked`);
    }
  });
});

describe('validate on S3 (s3rver behind a SigV4-checking IAM/STS proxy)', () => {
  let s3: S3Emulator;
  let iam: S3Iam;
  let cfg: string;
  const FULL = { id: 'AKIAFULLACCESS000001', secret: 'full/Secret+Key0123456789abcdefABCDEF0' };
  const READER = { id: 'AKIAREADONLY00000002', secret: 'reader/Secret+Key0123456789abcdefABCD' };
  const WRITER = { id: 'AKIAWRITEONLY0000003', secret: 'writer/Secret+Key0123456789abcdefABCD' };
  const BASE = { id: 'AKIABASEFORROLE00004', secret: 'base/Secret+Key0123456789abcdefABCDEF' };
  const WRONG_SECRET = 'not/the+right+secret0123456789abcdefAB';
  const ROLE = 'arn:aws:iam::123456789012:role/logzio-archive';
  const EXTERNAL_ID = 'logzio-ext-7f3a';

  before(async () => {
    s3 = await startS3rver();
    await seedS3(s3, 'logzio-archive', [
      { key: 'logzio-verified', body: '' },
      { key: 'acct-123/2026/01/05/17/logs-1.json.gz', body: 'gz' },
    ]);
    iam = await startS3Iam(s3.endpoint);
    iam.keys.set(FULL.id, { secret: FULL.secret, allow: ALL_ACTIONS });
    iam.keys.set(READER.id, { secret: READER.secret, allow: ['s3:ListBucket', 's3:GetObject'] });
    iam.keys.set(WRITER.id, { secret: WRITER.secret, allow: ['s3:PutObject'] });
    iam.keys.set(BASE.id, { secret: BASE.secret, allow: [] });
    iam.roles.push({ arn: ROLE, externalId: EXTERNAL_ID, allow: ALL_ACTIONS });
    cfg = await mkdtemp(join(tmpdir(), 'archive-cfg-'));
  });
  after(async () => {
    await iam?.stop();
    await s3?.stop();
    if (cfg) await rm(cfg, { recursive: true, force: true });
  });

  const env = (k: { id: string; secret: string }, extra: Record<string, string> = {}) => ({
    AWS_ACCESS_KEY_ID: k.id,
    AWS_SECRET_ACCESS_KEY: k.secret,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: iam.endpoint,
    ...extra,
  });

  async function leftovers(): Promise<string[]> {
    const res = await s3Client(s3).send(new ListObjectsV2Command({ Bucket: 'logzio-archive', Prefix: '' }));
    return (res.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.includes('.archive-validate/'));
  }

  test('right key and secret: all ✓ including the Logz.io marker', async () => {
    const r = await runValidateCli(['s3://logzio-archive', '--marker', 'logzio-verified'], env(FULL));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const t = rows(r.stdout);
    for (const p of ['list', 'read', 'write', 'delete', 'marker logzio-verified']) assert.match(t.get(p) ?? '', /✓/, `${p}: ${r.stdout}`);
    assert.deepEqual(await leftovers(), []);
    assert.ok(iam.log.some((l) => l.keyId === FULL.id && l.action === 's3:PutObject' && l.verdict === 'ok'));
  });

  test('wrong secret: SignatureDoesNotMatch on every probe, exit 3, the secret never printed', async () => {
    const r = await runValidateCli(['s3://logzio-archive', '--verbose'], env({ id: FULL.id, secret: WRONG_SECRET }));
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(rows(r.stdout).get('list') ?? '', /✗\s+SignatureDoesNotMatch\s+the secret access key is wrong/);
    assert.match(r.stderr, /^hint: the secret access key is wrong/m);
    assert.ok(!(r.stdout + r.stderr).includes(WRONG_SECRET));
  });

  test('--no-write sends no PutObject or DeleteObject and leaves the bucket as it was', async () => {
    const keysNow = async () =>
      ((await s3Client(s3).send(new ListObjectsV2Command({ Bucket: 'logzio-archive' }))).Contents ?? []).map((o) => o.Key).sort();
    const before = await keysNow();
    const from = iam.log.length;
    const r = await runValidateCli(['s3://logzio-archive', '--no-write', '--json'], env(FULL));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(
      JSON.parse(r.stdout).probes.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['list:ok', 'read:ok'],
    );
    const actions = [...new Set(iam.log.slice(from).map((l) => l.action))].sort();
    assert.deepEqual(actions, ['s3:GetObject', 's3:ListBucket'], 'requests the probe made');
    assert.deepEqual(await keysNow(), before);
  });

  test('unknown key id: InvalidAccessKeyId', async () => {
    const r = await runValidateCli(['s3://logzio-archive', '--no-write'], env({ id: 'AKIANOSUCHKEY0000009', secret: FULL.secret }));
    assert.equal(r.code, 3);
    assert.match(rows(r.stdout).get('list') ?? '', /✗\s+InvalidAccessKeyId/);
    assert.match(r.stderr, /^archive: probe failed: list \(InvalidAccessKeyId\)$/m);
    assert.match(r.stderr, /^hint: the access key id is unknown: check AWS_ACCESS_KEY_ID or the profile/m);
  });

  test('read-only policy: write ✗ naming s3:PutObject; --require list,read passes; marker under a prefix missing → 4', async () => {
    const r = await runValidateCli(['s3://logzio-archive/acct-123/'], env(READER));
    assert.equal(r.code, 3);
    const t = rows(r.stdout);
    assert.match(t.get('read') ?? '', /✓/);
    assert.match(t.get('write') ?? '', /✗\s+AccessDenied\s+.*s3:PutObject/);
    assert.match(t.get('delete') ?? '', /✗\s+AccessDenied\s+.*s3:DeleteObject/);
    const ok = await runValidateCli(['s3://logzio-archive/acct-123/', '--require', 'list,read'], env(READER));
    assert.equal(ok.code, 0, ok.stderr);
    const m = await runValidateCli(['s3://logzio-archive/acct-123/', '--no-write', '--marker', 'logzio-verified'], env(READER));
    assert.equal(m.code, 4, m.stderr);
    assert.match(m.stderr, /\(NoSuchKey\)/);
  });

  test('write-only policy: list ✗ s3:ListBucket, read-back ✗ s3:GetObject, probe left behind is named', async () => {
    const r = await runValidateCli(['s3://logzio-archive', '--json'], env(WRITER));
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout);
    const by = Object.fromEntries(doc.probes.map((p: { name: string }) => [p.name, p]));
    assert.match(by.list.hint, /s3:ListBucket/);
    assert.match(by.read.hint, /s3:GetObject/);
    assert.equal(by.write.status, 'ok');
    assert.match(by.delete.hint, /s3:DeleteObject/);
    assert.equal(doc.leftovers.length, 1);
    assert.deepEqual(await leftovers(), doc.leftovers);
    const cleanup = await runValidateCli(['s3://logzio-archive', '--no-write'], env(FULL));
    assert.equal(cleanup.code, 0);
    await s3Client(s3).send(
      new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: 'logzio-archive', Key: doc.leftovers[0] }),
    );
  });

  test('assume-role profile with external id (STS on loopback); wrong external id → exit 3', async () => {
    const penv = {
      ARCHIVE_CONFIG_DIR: cfg,
      AWS_ENDPOINT_URL_STS: iam.endpoint,
      AWS_ACCESS_KEY_ID: BASE.id,
      AWS_SECRET_ACCESS_KEY: BASE.secret,
    };
    const add = await runCli(
      [
        'profile',
        'add',
        'logzio',
        's3://logzio-archive',
        '--role-arn',
        ROLE,
        '--external-id',
        EXTERNAL_ID,
        '--region',
        'us-east-1',
        '--endpoint',
        iam.endpoint,
        '--layout',
        'logzio',
      ],
      { env: penv },
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /saved profile logzio: s3:\/\/logzio-archive \(assume-role\)/);
    const r = await runValidateCli(['logzio:', '--marker', 'logzio-verified', '--json'], penv);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(JSON.parse(r.stdout).auth, `assumed role ${ROLE}`);
    assert.ok(iam.assumed.some((a) => a.roleArn === ROLE && a.externalId === EXTERNAL_ID && a.caller === BASE.id));
    // The base identity itself may do nothing: the probes really ran as the role.
    assert.ok(iam.log.some((l) => l.keyId.startsWith('ASIA') && l.action === 's3:PutObject' && l.verdict === 'ok'));

    const wrong = await runValidateCli(['logzio:', '--no-write'], { ...penv, ARCHIVE_EXTERNAL_ID: 'not-the-external-id' });
    assert.equal(wrong.code, 3, wrong.stderr + wrong.stdout);
    assert.match(wrong.stdout, /AccessDenied/);
  });

  test('AWS chain with a named profile from a shared credentials file', async () => {
    const creds = join(cfg, 'aws-credentials');
    await writeFile(creds, `[logs-ro]\naws_access_key_id = ${READER.id}\naws_secret_access_key = ${READER.secret}\n`, { mode: 0o600 });
    const penv = { ARCHIVE_CONFIG_DIR: cfg, AWS_SHARED_CREDENTIALS_FILE: creds, AWS_CONFIG_FILE: join(cfg, 'none') };
    const add = await runCli(
      [
        'profile',
        'add',
        'ro',
        's3://logzio-archive/acct-123',
        '--auth',
        'chain',
        '--aws-profile',
        'logs-ro',
        '--endpoint',
        iam.endpoint,
        '--region',
        'us-east-1',
      ],
      {
        env: penv,
      },
    );
    assert.equal(add.code, 0, add.stderr);
    const r = await runValidateCli(['ro:', '--no-write'], penv);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /with AWS profile logs-ro/);
  });

  test('S3: the Logpush challenge found without --challenge, verdict on success and on a refused write', async () => {
    await seedS3(s3, 'cf-logpush', [
      { key: 'edge/20260105/20260105T165500Z_20260105T170000Z_9f8e7d6c.log.gz', body: 'gz-bytes' },
      { key: 'edge/ownership-challenge-7a7a7a7a.txt', body: 'token-s3-41d0\n' },
    ]);
    const r = await runValidateCli(['s3://cf-logpush/edge', '--no-write'], env(FULL));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        'validate s3://cf-logpush/edge with AWS default credential chain',
        'PROBE      OK  CODE  DETAIL',
        'list       ✓         2 objects under edge',
        'read       ✓         read 8 B of edge/20260105/20260105T165500Z_20260105T170000Z_9f8e7d6c.log.gz',
        'challenge  ✓         token token-s3-41d0 (from edge/ownership-challenge-7a7a7a7a.txt)',
        'challenge token: token-s3-41d0',
        'verdict: ready: list, read ok; Cloudflare ownership token above',
        '',
      ].join('\n'),
    );
    const full = await runValidateCli(['s3://cf-logpush/edge'], env(FULL));
    assert.equal(full.code, 0, full.stderr);
    assert.equal(
      full.stdout.trimEnd().split('\n').at(-1),
      'verdict: ready for Cloudflare Logpush: list, read, write, delete ok; ownership token above',
    );
    const denied = await runValidateCli(['s3://cf-logpush/edge'], env(READER));
    assert.equal(denied.code, 3, denied.stderr);
    assert.equal(
      denied.stdout.trimEnd().split('\n').at(-1),
      'verdict: NOT ready: write denied (AccessDenied), delete denied (AccessDenied)',
    );
    assert.match(denied.stderr, /^archive: probes failed: write \(AccessDenied\), delete \(AccessDenied\)\nhint: .*s3:PutObject.*\n$/);
    const res = await s3Client(s3).send(new ListObjectsV2Command({ Bucket: 'cf-logpush' }));
    assert.deepEqual(
      (res.Contents ?? []).map((o) => o.Key).sort(),
      ['edge/20260105/20260105T165500Z_20260105T170000Z_9f8e7d6c.log.gz', 'edge/ownership-challenge-7a7a7a7a.txt'],
      'nothing left behind',
    );
  });

  test('no secret in any output of this suite, STS session credentials included', () => {
    const all = transcript.join('\n');
    for (const s of [FULL.secret, READER.secret, WRITER.secret, BASE.secret, WRONG_SECRET])
      assert.ok(!all.includes(s), `secret leaked: ${s.slice(0, 4)}…`);
    // What AssumeRole handed out: a temporary secret and the session token that goes with it.
    const issued = [...iam.keys.values()].filter((k) => k.sessionToken);
    assert.ok(issued.length > 0, 'the assume-role test ran and got session credentials');
    for (const k of issued) {
      assert.ok(!all.includes(k.sessionToken!) && !all.includes(encodeURIComponent(k.sessionToken!)), 'an STS session token leaked');
      assert.ok(!all.includes(k.secret), 'a temporary secret leaked');
    }
  });
});
