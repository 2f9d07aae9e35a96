/**
 * Issue #10 item 8: `az://ACCOUNT/…` takes the endpoint of AZURE_STORAGE_CONNECTION_STRING when
 * the connection string is for that account (BlobEndpoint, or DefaultEndpointsProtocol +
 * EndpointSuffix), for every command; `sas create` prints URLs on that endpoint; a network error
 * names the host it could not reach, and no secret.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { startProvider, type AzureFixture } from './support/providers.js';
import { AZURITE_KEY } from './support/emulators.js';
import { resolveTarget } from '../src/target.js';

const csFor = (rest: string) => `DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};${rest}`;

describe('connection-string endpoint (pure resolution)', () => {
  const cases: Array<[string, string, Record<string, string>, string]> = [
    [
      'BlobEndpoint for the account',
      'az://devstoreaccount1/logs',
      { AZURE_STORAGE_CONNECTION_STRING: csFor('BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/') },
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    [
      'EndpointSuffix (Azure China)',
      'az://devstoreaccount1/logs',
      { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.chinacloudapi.cn') },
      'https://devstoreaccount1.blob.core.chinacloudapi.cn',
    ],
    [
      'protocol + suffix (US Gov over http is odd but honoured)',
      'az://devstoreaccount1/c',
      { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.usgovcloudapi.net').replace('https', 'http') },
      'http://devstoreaccount1.blob.core.usgovcloudapi.net',
    ],
    [
      'UseDevelopmentStorage=true',
      'az://devstoreaccount1/c',
      { AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' },
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    [
      'a connection string for another account does not apply',
      'az://otheraccount/c',
      { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.chinacloudapi.cn') },
      'https://otheraccount.blob.core.windows.net',
    ],
    [
      'a URL keeps its own host',
      'https://devstoreaccount1.blob.core.windows.net/c',
      { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.chinacloudapi.cn') },
      'https://devstoreaccount1.blob.core.windows.net',
    ],
    [
      'az:// with a SAS from --sas env still uses the account endpoint',
      'az://devstoreaccount1/c',
      { AZURE_STORAGE_SAS_TOKEN: 'sv=1&sig=x', AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.chinacloudapi.cn') },
      'https://devstoreaccount1.blob.core.chinacloudapi.cn',
    ],
  ];
  for (const [name, loc, env, want] of cases) {
    test(name, async () => {
      const t = await resolveTarget(loc, {}, env);
      assert.equal(t.provider, 'azure');
      assert.equal(t.provider === 'azure' ? t.serviceUrl : '', want);
    });
  }
});

describe('connection-string endpoint against Azurite', () => {
  let p: AzureFixture;
  let tmp: string;
  let env: Record<string, string>;
  const body = 'hello from the emulator\n';
  before(async () => {
    p = await startProvider('azure');
    await p.seed('logs', [{ key: 'a/x.log', body }]);
    env = p.env; // AZURE_STORAGE_CONNECTION_STRING with BlobEndpoint=http://127.0.0.1:PORT/devstoreaccount1
    tmp = mkdtempSync(join(tmpdir(), 'archive-endpoint-'));
  });
  after(async () => {
    await p?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('list, cat, pull, containers and validate reach the emulator through az://', async () => {
    const list = await runCli(['list', 'az://devstoreaccount1/logs', '--json'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).objects.map((o: { key: string }) => o.key),
      ['a/x.log'],
    );
    const cat = await runCli(['cat', 'az://devstoreaccount1/logs/a/'], { env });
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, body);
    const dest = join(tmp, 'pulled');
    const pull = await runCli(['pull', 'az://devstoreaccount1/logs/a/', dest], { env });
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(readdirSync(dest), ['x.log']);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(dest, 'x.log')))
        .digest('hex'),
      createHash('sha256').update(body).digest('hex'),
    );
    const containers = await runCli(['containers', 'az://devstoreaccount1'], { env });
    assert.equal(containers.code, 0, containers.stderr);
    assert.match(containers.stdout, /\blogs$/m);
    const validate = await runCli(['validate', 'az://devstoreaccount1/logs', '--no-write', '--require', 'list,read'], { env });
    assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  });

  test('sas create prints a URL on the emulator endpoint, and that URL works', async () => {
    const r = await runCli(['sas', 'create', 'az://devstoreaccount1/logs', '--for', 'reader'], { env });
    assert.equal(r.code, 0, r.stderr);
    const url = r.stdout.trim().split('\n')[0];
    assert.ok(url.startsWith(`${p.emu.serviceUrl}/logs?`), url);
    const list = await runCli(['list', url], { env: {} });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /a\/x\.log/);
  });

  test('sas create with EndpointSuffix prints the sovereign-cloud host', async () => {
    const r = await runCli(['sas', 'create', 'az://devstoreaccount1/logs', '--for', 'reader'], {
      env: { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=core.chinacloudapi.cn') },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^https:\/\/devstoreaccount1\.blob\.core\.chinacloudapi\.cn\/logs\?sv=/);
  });

  test('an endpoint nobody listens on: the error names host:port, no secret', async () => {
    const cs = csFor('BlobEndpoint=http://127.0.0.1:9/devstoreaccount1');
    for (const cmd of [
      ['list', 'az://devstoreaccount1/logs'],
      ['cat', 'az://devstoreaccount1/logs/a/'],
    ]) {
      const r = await runCli(cmd, { env: { AZURE_STORAGE_CONNECTION_STRING: cs } });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        'archive: list az://devstoreaccount1/logs: network error ECONNREFUSED reaching 127.0.0.1:9 (ECONNREFUSED)\n' +
          'hint: nothing is listening at that endpoint: check the URL/--endpoint and that the service (or emulator) is running\n',
      );
      assert.ok(!r.stderr.includes(AZURITE_KEY) && !r.stderr.includes(encodeURIComponent(AZURITE_KEY)));
    }
  });

  test('a host that does not resolve (EndpointSuffix=example.invalid): the error names it', async () => {
    const r = await runCli(['list', 'az://devstoreaccount1/logs'], {
      env: { AZURE_STORAGE_CONNECTION_STRING: csFor('EndpointSuffix=example.invalid') },
    });
    assert.equal(r.code, 1, r.stderr);
    // .invalid never resolves (RFC 6761); without any DNS the resolver says EAI_AGAIN instead.
    assert.match(
      r.stderr,
      /^archive: list az:\/\/devstoreaccount1\/logs: network error (ENOTFOUND|EAI_AGAIN) reaching devstoreaccount1\.blob\.example\.invalid \((ENOTFOUND|EAI_AGAIN)\)\nhint: the host name does not resolve: check the account\/bucket name and your DNS or proxy\n$/,
    );
  });
});
