/**
 * Two and three `archive pull` runs into one DEST at once (issue #10 item 1): at every timing
 * (together, once the first run's part file exists, once chunks of it are on disk, after the
 * first run finished, after the first run was killed with -9), every file ends byte-identical,
 * every run exits 0, each object is downloaded by exactly one run and reported as already
 * complete by the others, and no part, state or lock file is left behind.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, cleanEnv, BIN, type CliResult } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { walk, sha256 as sha, until } from './support/files.js';

const MiB = 1 << 20;

const BIG_KEY = 'dumps/h1/heap.hprof';

for (const name of PROVIDERS) {
  describe(`concurrent pulls into one DEST on ${name}`, () => {
    let p: ProviderFixture;
    let proxy: FaultProxy;
    let slower: FaultProxy;
    let tmp: string;
    const objects = new Map<string, Buffer>();

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `archive-conc-${name}-`));
      p = await startProvider(name);
      objects.set(BIG_KEY, randomBytes(6 * MiB + 12345));
      for (let i = 0; i < 30; i++) objects.set(`logs/h${i % 3}/part-${String(i).padStart(2, '0')}.log`, randomBytes(1000 + i * 1301));
      await p.seed(
        'conc',
        [...objects].map(([key, body]) => ({ key, body })),
      );
      // Slow bodies (1 MiB/s per stream) keep the first run mid-transfer long enough to overlap.
      proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: MiB });
      // Slower still where the test must catch the first run between two chunks and its end.
      slower = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: MiB / 4 });
    });
    after(async () => {
      await proxy?.close();
      await slower?.close();
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    function args(dest: string, slow: boolean | 'slower'): { argv: string[]; env: Record<string, string> } {
      const via = slow ? p.via((slow === 'slower' ? slower : proxy).url) : { loc: p.loc, env: p.env };
      return {
        argv: [
          'pull',
          via.loc('conc'),
          dest,
          '--json',
          '--multipart-threshold',
          '2M',
          '--chunk-size',
          '1M',
          '--concurrency',
          slow ? '2' : '8',
        ],
        env: { ...via.env, XDG_STATE_HOME: join(tmp, 'state') },
      };
    }
    const run = (dest: string, slow: boolean | 'slower') => {
      const a = args(dest, slow);
      // Generous: these machines are shared, and a loaded one is no reason to kill a run.
      return runCli(a.argv, { env: a.env, timeoutMs: 600_000 });
    };

    /** Exit 0 everywhere, bytes right, one download per object across runs, nothing left over. */
    function check(dest: string, runs: CliResult[]): void {
      const downloads = new Map<string, number>();
      for (const r of runs) {
        assert.equal(r.code, 0, r.stderr);
        const rep = JSON.parse(r.stdout);
        assert.equal(rep.files.length, objects.size);
        for (const f of rep.files) {
          assert.ok(f.status === 'downloaded' || f.status === 'skipped', JSON.stringify(f));
          if (f.status === 'downloaded') downloads.set(f.key, (downloads.get(f.key) ?? 0) + 1);
        }
      }
      for (const key of objects.keys()) assert.equal(downloads.get(key), 1, `${key} downloaded by exactly one run`);
      for (const [key, body] of objects) assert.equal(sha(readFileSync(join(dest, key))), sha(body), key);
      assert.deepEqual(walk(dest), [...objects.keys()].sort(), 'no part, state or lock files left');
    }

    test('two runs started together', async () => {
      const dest = join(tmp, 'together');
      check(dest, await Promise.all([run(dest, true), run(dest, true)]));
    });

    test('three runs started together', async () => {
      const dest = join(tmp, 'three');
      check(dest, await Promise.all([run(dest, true), run(dest, false), run(dest, true)]));
    });

    test('second run starts once the first one has created the part file; it waits and says so', async () => {
      const dest = join(tmp, 'after-part');
      const first = run(dest, true);
      await until(() => existsSync(join(dest, `${BIG_KEY}.archive-part`)), 'the part file', first);
      const second = await run(dest, false);
      check(dest, [await first, second]);
      assert.match(
        second.stderr,
        /^waiting {5}dumps\/h1\/heap\.hprof: another archive pull \(pid \d+ on [^)]+\) is writing .*heap\.hprof$/m,
        second.stderr,
      );
    });

    test('second run starts once chunks of the first are on disk', async () => {
      const dest = join(tmp, 'after-chunks');
      const first = run(dest, 'slower');
      const state = join(dest, `${BIG_KEY}.archive-part.json`);
      await until(
        () => {
          try {
            return (JSON.parse(readFileSync(state, 'utf8')).done ?? []).length >= 2;
          } catch {
            return false;
          }
        },
        'two chunks on disk',
        first,
      );
      check(dest, await Promise.all([first, run(dest, true)]));
    });

    test('second run after the first finished: everything already complete', async () => {
      const dest = join(tmp, 'after-done');
      const first = await run(dest, false);
      const second = await run(dest, false);
      check(dest, [first, second]);
      const files = (JSON.parse(second.stdout) as { files: Array<{ key: string; status: string }> }).files;
      // Every object of the first run is there, and skipped (not an empty list passing vacuously).
      assert.deepEqual(
        files.map((f) => f.key).sort(),
        (JSON.parse(first.stdout) as { files: Array<{ key: string }> }).files.map((f) => f.key).sort(),
      );
      assert.ok(files.length >= 2, second.stdout);
      assert.deepEqual(new Set(files.map((f) => f.status)), new Set(['skipped']));
    });

    test('first run killed with -9 while holding locks: two new runs take over its stale locks and resume', async () => {
      const dest = join(tmp, 'killed');
      const a2 = args(dest, 'slower');
      const child = spawn(process.execPath, [BIN, ...a2.argv], { env: cleanEnv(a2.env), stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', (code) => r({ code })));
      const state = join(dest, `${BIG_KEY}.archive-part.json`);
      await until(
        () => {
          try {
            return (JSON.parse(readFileSync(state, 'utf8')).done ?? []).length >= 2;
          } catch {
            return false;
          }
        },
        'two chunks on disk',
        exited,
      );
      child.kill('SIGKILL');
      await exited;
      assert.ok(existsSync(join(dest, `${BIG_KEY}.archive-lock`)), 'the killed run left its lock');
      assert.ok(!existsSync(join(dest, BIG_KEY)), 'no final file after kill -9');
      const runs = await Promise.all([run(dest, false), run(dest, false)]);
      const big = runs.map((r) => JSON.parse(r.stdout).files.find((f: { key: string }) => f.key === BIG_KEY));
      const downloader = big.find((f) => f.status === 'downloaded');
      assert.ok(downloader.resumedBytes >= 2 * MiB, `resumed ${downloader.resumedBytes}`);
      // Small files the killed run finished are skipped by both; the rest downloaded by one run each.
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      for (const [key, body] of objects) assert.equal(sha(readFileSync(join(dest, key))), sha(body), key);
      assert.deepEqual(walk(dest), [...objects.keys()].sort(), 'no part, state or lock files left');
    });
  });
}
