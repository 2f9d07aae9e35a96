/**
 * Start-up guard: a listing whose credential needs no SDK (Azure account key, Azure SAS, S3 static
 * keys on an explicit endpoint) must not load @azure/storage-blob, @azure/core-rest-pipeline or
 * @aws-sdk/* at all (they cost ~50–60 ms of a 10-key `archive list`, README "Listing"). Each run
 * records the bundle chunks it loaded (a module load hook); a chunk whose source map names one of
 * those packages fails the test. A token credential's listing is the control: it must load them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { BIN, cleanEnv, ROOT } from './support/cli.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';
import { startProvider, type ProviderFixture } from './support/providers.js';

const SDK = /node_modules\/(@aws-sdk|@smithy|@azure\/(storage-blob|core-rest-pipeline|identity))\//;

let dir: string;
let hook: string;

/** The dist chunks a run loaded, by file name. */
function loadedChunks(args: string[], env: Record<string, string | undefined>): { code: number | null; stderr: string; chunks: string[] } {
  const log = join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', hook, BIN, ...args], {
    env: { ...cleanEnv(env), LOAD_LOG: log },
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // nothing loaded from dist
  }
  return { code: r.status, stderr: r.stderr, chunks: [...new Set(text.split('\n').filter(Boolean))] };
}

function sdkChunks(chunks: string[]): string[] {
  return chunks.filter((c) => {
    try {
      return SDK.test(readFileSync(join(ROOT, 'dist', `${c}.map`), 'utf8'));
    } catch {
      return false;
    }
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'archive-nosdk-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, ctx, next) {
  const m = /\\/dist\\/([^/?#]+\\.js)$/.exec(url);
  if (m && process.env.LOAD_LOG) appendFileSync(process.env.LOAD_LOG, m[1] + '\\n');
  return next(url, ctx);
}
`,
  );
  hook = join(dir, 'register.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const name of ['azure', 's3'] as const) {
  describe(`a listing on ${name} with a credential that needs no SDK`, () => {
    let p: ProviderFixture;
    before(async () => {
      p = await startProvider(name);
      await p.seed('ten', [{ key: 'a/one.log', body: 'x' }]);
    });
    after(() => p?.stop());

    test('loads no SDK chunk, and lists', () => {
      const r = loadedChunks(['list', p.loc('ten'), '--ndjson'], p.env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.chunks.length > 5, `the hook saw the bundle load: ${r.chunks.join(' ')}`);
      assert.deepEqual(sdkChunks(r.chunks), []);
    });

    if (name === 'azure') {
      test('with a SAS in the URL: loads no SDK chunk either', () => {
        const sas = generateBlobSASQueryParameters(
          { containerName: 'ten', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 6 * 3_600_000) },
          new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        ).toString();
        const r = loadedChunks(['list', `${p.loc('ten')}?${sas}`, '--ndjson'], {});
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(sdkChunks(r.chunks), []);
      });

      test('control: a token credential (service principal) does load the SDK', () => {
        // https: over plain http archive refuses a token credential before loading anything (an
        // Entra ID token is never sent without TLS), which would prove nothing here.
        const r = loadedChunks(['list', 'https://127.0.0.1:9/devstoreaccount1/ten'], {
          AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
          AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
          AZURE_CLIENT_SECRET: 'not-a-real-secret-0123456789',
          AZURE_AUTHORITY_HOST: 'http://127.0.0.1:9',
        });
        assert.notEqual(r.code, 0, 'nothing listens on port 9');
        assert.ok(sdkChunks(r.chunks).length > 0, `chunks: ${r.chunks.join(' ')}`);
      });
    }
  });
}
