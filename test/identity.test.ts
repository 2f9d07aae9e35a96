/**
 * Entra ID credentials end to end, with nothing leaving 127.0.0.1:
 *   - Azurite runs over HTTPS with `--oauth basic` (a throwaway self-signed certificate, trusted by
 *     the spawned CLI through NODE_EXTRA_CA_CERTS);
 *   - a fake Entra token endpoint (test/support/oauth.ts) serves OIDC discovery, client-credentials,
 *     device-code and the device-code polling grants; the CLI reaches it through the profile's
 *     authority host (instance discovery is disabled for non-Microsoft authorities, as for Azure
 *     Stack), so the real @azure/identity + MSAL code paths run;
 *   - the default credential chain runs as DefaultAzureCredential restricted to its Azure CLI link
 *     (AZURE_TOKEN_CREDENTIALS=AzureCliCredential) with a fake `az` on PATH.
 *
 * What this does NOT cover (documented, not faked): the environment-credential, workload-identity
 * and managed-identity links of the default chain (managed identity would call 169.254.169.254,
 * which tests must never reach); real Entra token signatures (Azurite checks issuer, audience and
 * lifetime but not the signature); RBAC role checks (Azurite grants every valid token full access,
 * so "Storage Blob Data Reader" denials are covered only by the hint mapping on SAS/S3 tests).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, transcript } from './support/cli.js';
import { startAzurite, AZURITE_KEY, type AzuriteEmulator } from './support/emulators.js';
import { makeCert, startFakeEntra, fakeAzCli, seedOverTls, type FakeEntra, type TlsFiles } from './support/oauth.js';

describe('Entra ID credentials against Azurite in OAuth mode', () => {
  let tls: TlsFiles;
  let entra: FakeEntra;
  let az: AzuriteEmulator;
  let cfg: string;
  let env: Record<string, string | undefined>;
  const WRONG_SECRET = 'wrong~client~secret~0123456789abcdef';

  before(async () => {
    tls = await makeCert();
    entra = await startFakeEntra(tls);
    az = await startAzurite({ inMemory: true, extraArgs: ['--oauth', 'basic', '--cert', tls.cert, '--key', tls.key] });
    await seedOverTls(az.serviceUrl, tls.cert, 'logs', [
      { key: 'vespa/h1/logs/access/JsonAccessLog.default.20260105170001.zst', body: 'zst-ish\n' },
      { key: 'readme.txt', body: 'hello\n' },
    ]);
    cfg = await mkdtemp(join(tmpdir(), 'archive-cfg-'));
    env = { ARCHIVE_CONFIG_DIR: cfg, NODE_EXTRA_CA_CERTS: tls.cert };
  });
  after(async () => {
    await az?.stop();
    await entra?.stop();
    await tls?.cleanup();
    if (cfg) await rm(cfg, { recursive: true, force: true });
  });

  const url = (c = 'logs') => `${az.serviceUrl}/${c}`;

  test('service principal profile (client secret from stdin): every probe passes', async () => {
    const add = await runCli(
      [
        'profile',
        'add',
        'amp',
        url(),
        '--auth',
        'service-principal',
        '--tenant-id',
        entra.tenantId,
        '--client-id',
        entra.clientId,
        '--authority-host',
        entra.authorityHost,
        '--secret-stdin',
      ],
      { env, input: `${entra.clientSecret}\n` },
    );
    assert.equal(add.code, 0, add.stderr);
    const show = await runCli(['profile', 'show', 'amp'], { env });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /client secret:\s+cs~\w…\*\*\*\*/);
    assert.ok(!show.stdout.includes(entra.clientSecret));

    const before = entra.requests.filter((r) => r.grantType === 'client_credentials').length;
    const r = await runCli(['validate', 'amp:', '--json'], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.auth, `service principal ${entra.clientId}`);
    assert.deepEqual(
      doc.probes.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['list:ok', 'read:ok', 'write:ok', 'delete:ok'],
    );
    // The token really came from the client-credentials grant at our authority.
    const grants = entra.requests.filter((q) => q.grantType === 'client_credentials' && q.clientId === entra.clientId);
    assert.ok(grants.length > before, 'no client_credentials request reached the token endpoint');
  });

  test('service principal from the environment (no profile) lists with a bearer token', async () => {
    const r = await runCli(['list', url(), '--ndjson'], {
      env: {
        ...env,
        AZURE_TENANT_ID: entra.tenantId,
        AZURE_CLIENT_ID: entra.clientId,
        AZURE_CLIENT_SECRET: entra.clientSecret,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).key)
        .sort(),
      ['readme.txt', 'vespa/h1/logs/access/JsonAccessLog.default.20260105170001.zst'],
    );
  });

  test('wrong client secret (env overrides the stored one) → exit 3 with a hint, secret never printed', async () => {
    const r = await runCli(['validate', 'amp:', '--verbose'], { env: { ...env, AZURE_CLIENT_SECRET: WRONG_SECRET } });
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /^list\s+✗/m);
    assert.match(r.stderr, /^archive: probes failed: list/m);
    assert.match(r.stderr, /^hint: .*client secret/m);
    assert.ok(!(r.stdout + r.stderr).includes(WRONG_SECRET), 'the wrong secret leaked');
    assert.ok(!(r.stdout + r.stderr).includes(entra.clientSecret), 'the stored secret leaked');
    const show = await runCli(['profile', 'show', 'amp'], { env: { ...env, AZURE_CLIENT_SECRET: WRONG_SECRET } });
    assert.match(show.stdout, /client secret:.*\(overridden by AZURE_CLIENT_SECRET\)/);
  });

  test('device-code login (guest principal): prompt on stderr, token from the polling grant', async () => {
    const add = await runCli(
      [
        'profile',
        'add',
        'vespa-guest',
        url(),
        '--auth',
        'device-code',
        '--tenant-id',
        entra.tenantId,
        '--authority-host',
        entra.authorityHost,
        '--layout',
        'vespa',
      ],
      { env },
    );
    assert.equal(add.code, 0, add.stderr);
    const ci = await runCli(['validate', 'vespa-guest:', '--no-write'], { env: { ...env, CI: 'true' } });
    assert.equal(ci.code, 2, 'CI must not wait for a person');
    assert.match(ci.stderr, /^hint: in CI use a service principal/m);
    entra.pendingPolls = 1; // the person has not typed the code yet on the first poll
    const r = await runCli(['validate', 'vespa-guest:', '--no-write'], { env: { ...env, CI: undefined } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /enter the code ABCD-EFGH/);
    assert.doesNotMatch(r.stdout, /ABCD-EFGH/, 'the prompt must not pollute stdout');
    assert.match(r.stdout, /^list\s+✓/m);
    assert.match(r.stdout, /^read\s+✓/m);
    assert.ok(entra.requests.some((q) => q.path.endsWith('/oauth2/v2.0/devicecode')));
    assert.ok(entra.requests.some((q) => q.grantType === 'device_code'));
    // The profile's layout applies to list through PROFILE:PREFIX.
    const l = await runCli(['list', 'vespa-guest:vespa/', '--ndjson'], { env: { ...env, CI: undefined } });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(JSON.parse(l.stdout.trim().split('\n')[0]).layout, 'vespa');
  });

  test('default credential chain through its Azure CLI link (fake `az` on PATH)', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'archive-fakeaz-'));
    try {
      await fakeAzCli(bin, entra.tenantId, entra.objectId);
      const add = await runCli(['profile', 'add', 'chain', url(), '--auth', 'default'], { env });
      assert.equal(add.code, 0, add.stderr);
      const r = await runCli(['validate', 'chain:', '--json'], {
        env: { ...env, PATH: `${bin}:${process.env.PATH}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' },
      });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.auth, 'default Azure credential chain');
      assert.deepEqual(
        doc.probes.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
        ['list:ok', 'read:ok', 'write:ok', 'delete:ok'],
      );
      // Without any credential the chain fails cleanly: exit 3 and a hint, no hang.
      const none = await runCli(['list', 'chain:'], {
        env: { ...env, PATH: '/usr/bin:/bin', AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' },
      });
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /^hint: /m);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  test('user-delegation SAS from the service principal works; 5-year Logpush token refused', async () => {
    const c = await runCli(['sas', 'create', 'amp:', '--for', 'reader', '--expires', '2d'], { env });
    assert.equal(c.code, 0, c.stderr);
    const sasUrl = c.stdout.trim();
    assert.match(sasUrl, /^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/logs\?.*skoid=/);
    assert.match(c.stderr, /user-delegation SAS/);
    const i = await runCli(['sas', 'inspect', sasUrl, '--json'], { env });
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout);
    assert.equal(info.kind, 'user-delegation');
    assert.equal(info.permissions, 'rl');
    assert.equal(info.delegation.objectId, entra.objectId);
    // The token works on its own, with no Entra credential around.
    const l = await runCli(['list', sasUrl, '--ndjson'], { env: { NODE_EXTRA_CA_CERTS: tls.cert } });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(l.stdout.trim().split('\n').length, 2);
    const w = await runCli(['validate', sasUrl, '--require', 'list,read'], { env: { NODE_EXTRA_CA_CERTS: tls.cert } });
    assert.equal(w.code, 0, w.stderr + w.stdout);
    assert.match(w.stdout, /^write\s+✗\s+AuthorizationPermissionMismatch/m);

    const lp = await runCli(['sas', 'create', 'amp:', '--for', 'logpush'], { env });
    assert.equal(lp.code, 2, lp.stderr);
    assert.match(lp.stderr, /^archive: a user-delegation SAS .* at most 7 days/m);
    assert.match(lp.stderr, /^hint: .*account key/m);
    assert.equal(lp.stdout, '');
  });

  test('no secret in any output of this suite', () => {
    const all = transcript.join('\n');
    assert.ok(!all.includes(entra.clientSecret), 'client secret leaked');
    assert.ok(!all.includes(WRONG_SECRET), 'wrong client secret leaked');
    assert.ok(!all.includes(AZURITE_KEY), 'account key leaked');
  });
});
