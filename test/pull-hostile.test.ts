/**
 * `archive pull` in a hostile or unlucky world (issue #10 items 4, 5, 9 and 10): symlinks planted
 * where pull's own files go, --flatten clashes split across shards, an endpoint that dies
 * mid-pull, DEST being a file, and Azure blob names with '.'/'..' segments.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteEmulator } from './support/emulators.js';
import { walk, sha256 as sha, until } from './support/files.js';

const MiB = 1 << 20;

/** sha256 of every file under a folder, by relative path. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(walk(dir).map((f) => [f, sha(readFileSync(join(dir, f)))]));
}

for (const name of PROVIDERS) {
  describe(`hostile pulls on ${name}`, () => {
    let p: ProviderFixture;
    let tmp: string;
    let env: Record<string, string>;

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `archive-hostile-${name}-`));
      p = await startProvider(name);
      env = { ...p.env, XDG_STATE_HOME: join(tmp, 'state') };
    });
    after(async () => {
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('symlinks planted at part, state, temp, lock and final names are never followed out of DEST', async () => {
      const small = randomBytes(50_000);
      const big = randomBytes(5 * MiB + 777);
      const plain = Buffer.from('decoded line\n'.repeat(5000));
      const objects: Record<string, Buffer> = {
        'a/obj.log': small,
        'big.bin': big,
        'x.log.gz': gzipSync(plain),
        'final.log': Buffer.from('final bytes\n'),
        'locked.log': Buffer.from('lock bytes\n'),
      };
      await p.seed(
        'links',
        Object.entries(objects).map(([key, body]) => ({ key, body })),
      );
      const listed = await runCli(['list', p.loc('links'), '--ndjson'], { env });
      assert.equal(listed.code, 0, listed.stderr);
      const bigInfo = listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((o) => o.key === 'big.bin');

      const dest = join(tmp, 'links-dest');
      const outside = join(tmp, 'links-outside');
      mkdirSync(join(dest, 'a'), { recursive: true });
      mkdirSync(outside, { recursive: true });
      // Targets that exist (must keep their bytes) and targets that do not (must never be created).
      writeFileSync(join(outside, 'part-target'), 'outside part\n');
      writeFileSync(join(outside, 'big-part-target'), randomBytes(5 * MiB + 777));
      // A state that matches the object: followed, it would make pull "resume" from the outside file.
      writeFileSync(
        join(outside, 'state-target'),
        JSON.stringify({
          v: 1,
          key: 'big.bin',
          etag: bigInfo.etag,
          size: bigInfo.size,
          lastModified: bigInfo.lastModified,
          chunkSize: MiB,
          done: [0, 1, 2, 3, 4],
        }),
      );
      writeFileSync(join(outside, 'final-target'), 'outside final\n');
      writeFileSync(join(outside, 'lock-target'), 'outside lock\n');
      symlinkSync(join(outside, 'part-target'), join(dest, 'a/obj.log.archive-part'));
      symlinkSync(join(outside, 'big-part-target'), join(dest, 'big.bin.archive-part'));
      symlinkSync(join(outside, 'state-target'), join(dest, 'big.bin.archive-part.json'));
      symlinkSync(join(outside, 'missing-state-tmp'), join(dest, 'big.bin.archive-part.json.tmp'));
      symlinkSync(join(outside, 'missing-tmp'), join(dest, 'x.log.archive-tmp'));
      symlinkSync(join(outside, 'final-target'), join(dest, 'final.log'));
      symlinkSync(join(outside, 'lock-target'), join(dest, 'locked.log.archive-lock'));
      const before = snapshot(outside);

      const r = await runCli(
        ['pull', p.loc('links'), dest, '--decompress', '--multipart-threshold', '2M', '--chunk-size', '1M', '--json'],
        { env },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(snapshot(outside), before, 'nothing outside DEST changed, nothing created there');
      const expected: Record<string, Buffer> = {
        'a/obj.log': small,
        'big.bin': big,
        'x.log': plain,
        'final.log': objects['final.log']!,
        'locked.log': objects['locked.log']!,
      };
      assert.deepEqual(walk(dest), Object.keys(expected).sort(), 'only final files, no leftover links or temp files');
      for (const [rel, body] of Object.entries(expected)) {
        assert.ok(lstatSync(join(dest, rel)).isFile(), `${rel} is a regular file`);
        assert.equal(sha(readFileSync(join(dest, rel))), sha(body), rel);
      }
      const rep = JSON.parse(r.stdout);
      assert.equal(
        rep.files.find((f: { key: string }) => f.key === 'big.bin').resumedBytes,
        undefined,
        'nothing resumed from a linked state',
      );
    });

    test('--flatten with --shard: clashes resolve the same in every shard, none skipped, each file holds its own key', async () => {
      // Same size, same second: size + mtime alone cannot tell these apart.
      const keys = ['a', 'b', 'c', 'd', 'e'].map((d) => `${d}/x.log`);
      const bodies = new Map(keys.map((k) => [k, Buffer.from(`${k} `.padEnd(4000, k[0]))]));
      await p.seed(
        'flat',
        [...bodies].map(([key, body]) => ({ key, body })),
      );
      const dest = join(tmp, 'flat');
      const whole = await runCli(['pull', p.loc('flat'), dest, '--flatten', '--dry-run', '--json'], { env });
      assert.equal(whole.code, 0, whole.stderr);
      const planned = new Map<string, string>(JSON.parse(whole.stdout).files.map((f: { key: string; path: string }) => [f.key, f.path]));
      assert.equal(new Set(planned.values()).size, keys.length, 'five distinct local names');
      const shards = await Promise.all(
        [1, 2].map((i) => runCli(['pull', p.loc('flat'), dest, '--flatten', '--shard', `${i}/2`, '--json'], { env })),
      );
      const seen: string[] = [];
      for (const s of shards) {
        assert.equal(s.code, 0, s.stderr);
        for (const f of JSON.parse(s.stdout).files) {
          assert.equal(f.status, 'downloaded', JSON.stringify(f));
          assert.equal(f.path, planned.get(f.key), `${f.key} gets the same name in its shard as in the whole listing`);
          seen.push(f.key);
        }
      }
      assert.deepEqual(seen.sort(), keys);
      for (const [key, path] of planned) assert.equal(sha(readFileSync(path)), sha(bodies.get(key)!), key);
      assert.equal(walk(dest).length, keys.length);
    });

    test('"already complete" means the same object: another key flattened onto a name is downloaded, not skipped', async () => {
      const bodies = { 'p/x.log': Buffer.from('p'.repeat(3000)), 'q/x.log': Buffer.from('q'.repeat(3000)) };
      await p.seed(
        'same',
        Object.entries(bodies).map(([key, body]) => ({ key, body })),
      );
      const dest = join(tmp, 'same');
      const first = await runCli(['pull', p.loc('same'), dest, '--flatten', '--include', 'p/*', '--json'], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(readFileSync(join(dest, 'x.log'), 'utf8'), bodies['p/x.log'].toString());
      const second = await runCli(['pull', p.loc('same'), dest, '--flatten', '--include', 'q/*', '--json'], { env });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(JSON.parse(second.stdout).files[0].status, 'downloaded');
      assert.equal(readFileSync(join(dest, 'x.log'), 'utf8'), bodies['q/x.log'].toString());
      const third = await runCli(['pull', p.loc('same'), dest, '--flatten', '--include', 'q/*', '--json'], { env });
      assert.equal(JSON.parse(third.stdout).files[0].status, 'skipped', 'the same object again is complete');
      assert.deepEqual(walk(dest), ['x.log']);
    });

    test('DEST is a regular file: exit 2 before any request, file untouched', async () => {
      const file = join(tmp, 'dest-file');
      writeFileSync(file, 'keep me\n');
      const r = await runCli(['pull', p.loc('links'), file], { env });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        `archive: DEST is a file: ${file}\nhint: give a directory to pull into (it is created when missing), or remove that file\n`,
      );
      assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
    });

    test('endpoint dies mid-pull: the run gives up within seconds (exit 5, parts kept), a re-run completes', async (t) => {
      const objects = new Map<string, Buffer>([['a-big.bin', randomBytes(8 * MiB)]]);
      for (let i = 0; i < 40; i++) objects.set(`f/${String(i).padStart(2, '0')}.bin`, randomBytes(200_000));
      await p.seed(
        'dying',
        [...objects].map(([key, body]) => ({ key, body })),
      );
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: MiB });
      const via = p.via(proxy.url);
      const dest = join(tmp, 'dying');
      const child = spawn(
        process.execPath,
        [BIN, 'pull', via.loc('dying'), dest, '--multipart-threshold', '2M', '--chunk-size', '1M', '--concurrency', '4'],
        {
          env: cleanEnv({ ...via.env, XDG_STATE_HOME: env.XDG_STATE_HOME }),
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      await until(
        () => {
          try {
            return JSON.parse(readFileSync(join(dest, 'a-big.bin.archive-part.json'), 'utf8')).done.length >= 1;
          } catch {
            return false;
          }
        },
        'a chunk of the big object on disk',
        exited,
      );
      // The endpoint dies: open connections are cut and nothing listens on its port any more.
      await proxy.close();
      const killedAt = Date.now();
      const code = await exited;
      const seconds = (Date.now() - killedAt) / 1000;
      assert.equal(code, 5, stderr);
      t.diagnostic(`gave up ${seconds.toFixed(1)} s after the endpoint died`);
      assert.ok(seconds < 30, `gave up after ${seconds.toFixed(1)} s`);
      assert.match(
        stderr,
        /^archive: gave up on (az|s3):\/\/\S+: \d+ connection failures in a row over \d+ s; \d+ of 41 objects not pulled \(\w+\)$/m,
      );
      assert.match(
        stderr,
        /^hint: check that the endpoint is up and reachable, then run the same command again: completed files are skipped and part files resume$/m,
      );
      assert.ok(existsSync(join(dest, 'a-big.bin.archive-part')), 'part file kept for a resume');
      for (const f of walk(dest).filter((f) => !/\.archive-(part|part\.json|lock)$/.test(f))) {
        assert.equal(sha(readFileSync(join(dest, f))), sha(objects.get(f)!), `${f} complete under its final name`);
      }
      const again = await runCli(['pull', p.loc('dying'), dest, '--multipart-threshold', '2M', '--chunk-size', '1M', '--json'], {
        env,
        timeoutMs: 600_000,
      });
      assert.equal(again.code, 0, again.stderr);
      assert.ok(
        JSON.parse(again.stdout).files.find((f: { key: string }) => f.key === 'a-big.bin').resumedBytes > 0,
        'the big object resumed',
      );
      assert.deepEqual(walk(dest), [...objects.keys()].sort());
      for (const [key, body] of objects) assert.equal(sha(readFileSync(join(dest, key))), sha(body), key);
    });

    if (name === 'azure') {
      test("blob names with '.'/'..' segments are reported as unsafe keys (exit 5), the others pulled", async () => {
        const emu = p.emu as AzuriteEmulator;
        await p.seed('dots', [
          { key: 'good.txt', body: 'good\n' },
          { key: 'd.txt', body: 'the real d\n' },
        ]);
        // The SDK resolves dots in names away, so these go in over raw REST, as a hostile writer can.
        const { generateBlobSASQueryParameters, ContainerSASPermissions, StorageSharedKeyCredential } = await import('@azure/storage-blob');
        const sas = generateBlobSASQueryParameters(
          { containerName: 'dots', permissions: ContainerSASPermissions.parse('cw'), expiresOn: new Date(Date.now() + 3600_000) },
          new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        ).toString();
        for (const key of ['a/./b.txt', 'c/../d.txt']) {
          const status = await new Promise<number | undefined>((resolve, reject) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port: emu.port,
                method: 'PUT',
                path: `/${AZURITE_ACCOUNT}/dots/${key}?${sas}`,
                headers: { 'x-ms-blob-type': 'BlockBlob', 'content-length': 6 },
              },
              (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode));
              },
            );
            req.on('error', reject);
            req.end('dotty\n');
          });
          assert.equal(status, 201, key);
        }
        const dest = join(tmp, 'dots');
        const r = await runCli(['pull', p.loc('dots'), dest], { env });
        assert.equal(r.code, 5, r.stderr);
        for (const key of ['a/./b.txt', 'c/../d.txt']) {
          const esc = key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
          assert.match(
            r.stderr,
            new RegExp(
              // The key once: the read's own "read LOCATION/KEY:" is not repeated after it.
              `^failed {6}${esc}: unsafe key: its '\\.'/'\\.\\.' segments are resolved away in a URL, so this blob cannot be read by name \\(InvalidResourceName\\)$`,
              'm',
            ),
          );
        }
        assert.match(
          r.stderr,
          /^archive: 2 of 4 objects failed; first: read az:\/\/devstoreaccount1\/dots\/(a\/\.\/b|c\/\.\.\/d)\.txt: unsafe key: .* \(InvalidResourceName\)$/m,
        );
        assert.doesNotMatch(r.stderr, /ConditionNotMet|changed while/);
        assert.deepEqual(walk(dest), ['d.txt', 'good.txt']);
        assert.equal(readFileSync(join(dest, 'd.txt'), 'utf8'), 'the real d\n');
        assert.equal(readFileSync(join(dest, 'good.txt'), 'utf8'), 'good\n');
      });
    }
  });
}
