/**
 * Folder markers (issue #10 item 3): zero-byte `logs/` and `logs/2026/` objects on both providers
 * (S3 console "Create folder", sync tools) and, on Azure, zero-byte blobs named without the slash
 * but carrying metadata hdi_isfolder=true (ADLS Gen2 flat listings, blobfuse) — seeded into
 * Azurite, which does not make them by itself. They are folders: pull and cat skip them (no
 * EISDIR, no 0-byte part files), list shows them as folders. Zero-byte files stay files.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { azureService } from './support/seed.js';
import type { AzuriteEmulator } from './support/emulators.js';
import { walk, sha256 as sha } from './support/files.js';

for (const name of PROVIDERS) {
  describe(`folder markers on ${name}`, () => {
    let p: ProviderFixture;
    let tmp: string;
    let env: Record<string, string>;
    const files: Record<string, string> = {
      'logs/2026/a.log': 'line a1\nline a2\n',
      'logs/2026/b.log': 'line b1\n',
      'logs/empty.log': '',
    };
    const markers = ['logs/', 'logs/2026/'];
    /** Azure only: directory stubs without a slash, as ADLS Gen2 lists them. */
    const stubs = name === 'azure' ? ['logs/2027', 'logs/2027/deep'] : [];

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `archive-folders-${name}-`));
      p = await startProvider(name);
      env = { ...p.env, XDG_STATE_HOME: join(tmp, 'state') };
      if (name === 'azure') {
        files['logs/2027/deep/c.log'] = 'line c1\n';
        // A zero-byte blob whose hdi_isfolder is not "true" is a file like any other.
        files['logs/2027/not-a-folder'] = '';
      }
      await p.seed('fold', [...markers.map((key) => ({ key, body: '' })), ...Object.entries(files).map(([key, body]) => ({ key, body }))]);
      if (name === 'azure') {
        const cc = azureService(p.emu as AzuriteEmulator).getContainerClient('fold');
        for (const key of stubs) await cc.getBlockBlobClient(key).upload('', 0, { metadata: { hdi_isfolder: 'true' } });
        await cc.getBlockBlobClient('logs/2027/not-a-folder').upload('', 0, { metadata: { hdi_isfolder: 'false' } });
      }
    });
    after(async () => {
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('pull skips folder markers: exit 0, only the files, no part files', async () => {
      const dest = join(tmp, 'pulled');
      const r = await runCli(['pull', p.loc('fold'), dest, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /EISDIR|ENOTDIR/);
      const rep = JSON.parse(r.stdout);
      assert.deepEqual(rep.files.map((f: { key: string }) => f.key).sort(), Object.keys(files).sort());
      assert.deepEqual(walk(dest), Object.keys(files).sort(), 'files only, no part files');
      for (const [key, body] of Object.entries(files)) {
        assert.ok(statSync(join(dest, key)).isFile(), key);
        assert.equal(sha(readFileSync(join(dest, key))), sha(body), key);
      }
    });

    test('pull with a prefix that is itself a marker, and with --flatten', async () => {
      const dest = join(tmp, 'prefixed');
      const r = await runCli(['pull', p.loc('fold', 'logs/2026/'), dest, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(walk(dest), ['a.log', 'b.log']);
      const flat = join(tmp, 'flat');
      const f = await runCli(['pull', p.loc('fold'), flat, '--flatten'], { env });
      assert.equal(f.code, 0, f.stderr);
      assert.deepEqual(
        walk(flat),
        Object.keys(files)
          .map((k) => k.slice(k.lastIndexOf('/') + 1))
          .sort(),
      );
    });

    test('cat skips folder markers: every file in key order, nothing on stderr', async () => {
      const r = await runCli(['cat', p.loc('fold'), '--order', 'key'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const expected = Object.keys(files)
        .sort()
        .map((k) => files[k])
        .join('');
      assert.equal(r.stdout, expected);
    });

    test('list shows folder markers as folders', async () => {
      const r = await runCli(['list', p.loc('fold'), '--ndjson'], { env });
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const folders = rows.filter((o) => o.kind === 'folder');
      assert.deepEqual(folders.map((o) => o.key).sort(), [...markers, ...stubs].sort());
      for (const f of folders) assert.equal(f.folder, true);
      for (const o of rows.filter((o) => o.kind !== 'folder')) assert.equal(o.folder, undefined, o.key);
      assert.deepEqual(
        rows
          .filter((o) => !o.folder)
          .map((o) => o.key)
          .sort(),
        Object.keys(files).sort(),
      );
      const human = await runCli(['list', p.loc('fold')], { env });
      assert.equal(human.code, 0, human.stderr);
      for (const key of [...markers, ...stubs]) {
        const shown = key.endsWith('/') ? key : `${key}/`;
        assert.match(human.stdout, new RegExp(`\\s+0 B\\s+folder\\s+${shown.replace(/[./]/g, '\\$&')}$`, 'm'), `${key} shown as ${shown}`);
      }
    });
  });
}
