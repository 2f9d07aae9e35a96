/**
 * `archive pull` against real emulators (same cases on Azurite and s3rver), with a fault-injecting
 * proxy for retries and a kill -9 for resume.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy, type Fault } from './support/fault-proxy.js';
import { ZstdFixtures, zstdProgram, logData, MiB } from './support/zstd-fixtures.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function walk(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(root, p));
    else out.push(relative(root, p));
  }
  return out.sort();
}

const zstdBin = zstdProgram();

for (const name of PROVIDERS) {
  describe(`pull on ${name}`, () => {
    let p: ProviderFixture;
    let tmp: string;
    const small = new Map<string, Buffer>();
    const big = randomBytes(20 * MiB + 12345);
    const plainLog = logData(3 * MiB, 7);
    let zst: Buffer;
    const gz = gzipSync(Buffer.concat([logData(MiB, 3)]));
    const gzPlain = logData(MiB, 3);
    const multiGz = Buffer.concat([gzipSync(plainLog.subarray(0, MiB)), gzipSync(plainLog.subarray(MiB))]);

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `archive-pull-${name}-`));
      p = await startProvider(name);
      for (let i = 0; i < 40; i++) small.set(`acme/app/prod/h${i % 3}.example/logs/access/JsonAccessLog.default.2026010512${String(i).padStart(2, '0')}00.log`, randomBytes(1000 + i * 997));
      const fx = zstdBin ? new ZstdFixtures(zstdBin) : undefined;
      // Two frames, as log rotation concatenates them.
      zst = fx ? Buffer.concat([fx.compress(plainLog.subarray(0, 2 * MiB), ['-3']), fx.compress(plainLog.subarray(2 * MiB), ['-3', '--no-check'])]) : Buffer.alloc(0);
      fx?.cleanup();
      await p.seed('small', [...small].map(([key, body]) => ({ key, body })));
      await p.seed('big', [{ key: 'dumps/h1/jvm-heap-dump.hprof', body: big }]);
      await p.seed('packed', [
        ...(zstdBin ? [{ key: 'a/access.json.zst', body: zst }] : []),
        { key: 'a/requests.log.gz', body: gz },
        { key: 'a/multi.log.gz', body: multiGz },
        { key: 'a/plain.txt', body: 'plain\n' },
      ]);
      await p.seed('encoded', [{ key: 'cf/20260105/20260105T170000Z_20260105T170500Z_ab12.log.gz', body: gz, contentEncoding: 'gzip', contentType: 'application/gzip' }]);
    });
    after(async () => {
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('many small files: byte-identical, JSON report, re-run skips all', async () => {
      const dest = join(tmp, 'small');
      const r = await runCli(['pull', p.loc('small'), dest, '--json', '--concurrency', '16'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /Warning/, 'no runtime warnings (e.g. MaxListenersExceeded) reach the user');
      const rep = JSON.parse(r.stdout);
      assert.equal(rep.files.length, small.size);
      for (const [key, body] of small) {
        const local = join(dest, key);
        assert.ok(readFileSync(local).equals(body), key);
        const f = rep.files.find((x: { key: string }) => x.key === key);
        assert.equal(f.status, 'downloaded');
        assert.equal(f.sha256, sha(body));
        assert.equal(f.bytes, body.length);
        assert.equal(f.path, local);
      }
      assert.deepEqual(walk(dest), [...small.keys()].sort(), 'no part or temp files left');
      const again = await runCli(['pull', p.loc('small'), dest, '--json'], { env: p.env });
      assert.equal(again.code, 0, again.stderr);
      assert.ok(JSON.parse(again.stdout).files.every((f: { status: string }) => f.status === 'skipped'));
    });

    test('one large object in parallel ranged parts', async () => {
      const dest = join(tmp, 'big');
      const r = await runCli(['pull', p.loc('big'), dest, '--multipart-threshold', '4M', '--chunk-size', '3M', '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(r.stdout).files[0];
      assert.equal(f.status, 'downloaded');
      assert.equal(f.sha256, sha(big));
      assert.equal(sha(readFileSync(join(dest, 'dumps/h1/jvm-heap-dump.hprof'))), sha(big));
      assert.deepEqual(walk(dest), ['dumps/h1/jvm-heap-dump.hprof']);
    });

    test('--decompress decodes .zst (multi-frame) and .gz (multi-member), names drop the suffix', async () => {
      for (const threshold of ['64M', '1M']) {
        // 1M forces the download-then-decode path for the larger objects.
        const dest = join(tmp, `dec-${threshold}`);
        const r = await runCli(['pull', p.loc('packed'), dest, '--decompress', '--multipart-threshold', threshold, '--chunk-size', '1M'], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        const expected = ['a/multi.log', 'a/plain.txt', 'a/requests.log', ...(zstdBin ? ['a/access.json'] : [])].sort();
        assert.deepEqual(walk(dest), expected);
        if (zstdBin) assert.equal(sha(readFileSync(join(dest, 'a/access.json'))), sha(plainLog));
        assert.equal(sha(readFileSync(join(dest, 'a/requests.log'))), sha(gzPlain));
        assert.equal(sha(readFileSync(join(dest, 'a/multi.log'))), sha(plainLog));
      }
    });

    test('Content-Encoding: gzip objects are fetched as stored, never inflated in transit', async () => {
      const dest = join(tmp, 'encoded');
      const r = await runCli(['pull', p.loc('encoded'), dest, '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const local = join(dest, 'cf/20260105/20260105T170000Z_20260105T170500Z_ab12.log.gz');
      assert.ok(readFileSync(local).equals(gz));
    });

    test('corrupt .gz among good files: exit 5, object named, no output for it', async () => {
      const bad = Buffer.from(gz);
      bad[Math.floor(bad.length / 2)] ^= 0xff;
      bad[Math.floor(bad.length / 2) + 1] ^= 0xff;
      await p.seed('corrupt', [
        { key: 'x/bad.log.gz', body: bad },
        { key: 'x/good.log.gz', body: gz },
      ]);
      const dest = join(tmp, 'corrupt');
      const r = await runCli(['pull', p.loc('corrupt'), dest, '--decompress'], { env: p.env });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /x\/bad\.log\.gz/);
      assert.match(r.stderr, /^archive: 1 of 2 objects failed/m);
      assert.deepEqual(walk(dest), ['x/good.log']);
    });

    test('keys that try to escape DEST stay inside it', async () => {
      // Azurite turns '\\' into '/' (so 'b\\..\\..' arrives as a '..' path) and answers 500 to a listing
      // that holds a control character, so that key is only tried on S3; NUL is in safe-path.test.ts.
      const keys = ['../escape-1.txt', 'a/../../escape-2.txt', '/abs/escape-3.txt', 'b\\..\\..\\escape-4.txt', 'd/..', 'e/./f.txt'];
      if (name === 's3') keys.push('c/\u0001ctl.txt');
      // Each emulator refuses some of these names (Azure rejects control characters); seed what it takes.
      for (const key of keys) await p.seed('evil', [{ key, body: `body of ${key}` }]).catch(() => undefined);
      const listed = await runCli(['list', p.loc('evil'), '--ndjson'], { env: p.env });
      assert.equal(listed.code, 0, listed.stderr);
      const stored: string[] = listed.stdout.trim().split('\n').map((l) => JSON.parse(l).key);
      assert.ok(stored.length >= 3, `emulator kept ${stored.length} of the keys`);
      const root = join(tmp, 'evil-root');
      const dest = join(root, 'dest');
      const r = await runCli(['pull', p.loc('evil'), dest, '--json'], { env: p.env });
      const rep = JSON.parse(r.stdout);
      assert.equal(rep.files.length, stored.length);
      let downloaded = 0;
      for (const f of rep.files) {
        if (f.status === 'failed') {
          // Azure cannot address a blob whose listed name holds '..' segments (nor can the cloud).
          assert.equal(f.error.code, 'InvalidResourceName', JSON.stringify(f));
          continue;
        }
        downloaded++;
        assert.equal(f.status, 'downloaded', JSON.stringify(f));
        assert.ok(f.path.startsWith(dest + '/'), `${f.key} → ${f.path}`);
        assert.match(readFileSync(f.path, 'utf8'), /^body of /);
      }
      assert.ok(downloaded >= 2, `${downloaded} downloaded`);
      assert.equal(r.code, downloaded === stored.length ? 0 : 5, r.stderr);
      assert.deepEqual(readdirSync(root), ['dest'], 'nothing written beside DEST');
    });

    test('a symlink inside DEST cannot redirect writes outside it', async () => {
      const { symlinkSync, mkdirSync } = await import('node:fs');
      const dest = join(tmp, 'linked');
      const outside = join(tmp, 'outside');
      mkdirSync(dest, { recursive: true });
      mkdirSync(outside, { recursive: true });
      symlinkSync(outside, join(dest, 'acme'));
      const r = await runCli(['pull', p.loc('small'), dest, '--include', 'acme/app/prod/h0.example/**', '--json'], { env: p.env });
      assert.notEqual(r.code, 0);
      assert.deepEqual(readdirSync(outside), []);
      assert.match(JSON.parse(r.stdout).files[0].error.message, /refusing to write outside/);
    });

    test('DEST not writable → exit 1 with hint, nothing written', async () => {
      const file = join(tmp, 'not-a-dir');
      writeFileSync(file, 'x');
      const r = await runCli(['pull', p.loc('small'), join(file, 'sub')], { env: p.env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^archive: destination .* is not writable \(ENOTDIR\)$/m);
      assert.match(r.stderr, /^hint: /m);
    });

    test('disk full: the object that does not fit fails (exit 5), the rest complete, no partial final file', async (t) => {
      const { mkdirSync } = await import('node:fs');
      const { spawnSync } = await import('node:child_process');
      const mnt = join(tmp, 'tiny-fs');
      mkdirSync(mnt, { recursive: true });
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
      if (m.status !== 0) return t.skip(`cannot mount a 1 MiB tmpfs here (${m.stderr.toString().trim() || 'not root'})`);
      try {
        await p.seed('diskfull', [
          { key: 'fits.bin', body: randomBytes(200 * 1024) },
          { key: 'too-big.bin', body: randomBytes(3 * MiB) },
        ]);
        // One at a time, in key order: the small file lands first, then the big one runs out of room
        // (in parallel the big one's kept part file can fill the disk before the small one is written).
        const r = await runCli(['pull', p.loc('diskfull'), mnt, '--json', '--concurrency', '1'], { env: p.env });
        assert.equal(r.code, 5, r.stderr);
        const rep = JSON.parse(r.stdout);
        const big = rep.files.find((f: { key: string }) => f.key === 'too-big.bin');
        assert.equal(big.status, 'failed');
        assert.equal(big.error.code, 'ENOSPC');
        assert.match(big.error.hint, /free disk space/);
        assert.ok(!existsSync(join(mnt, 'too-big.bin')), 'no final file for the object that did not fit');
        assert.equal(statSync(join(mnt, 'fits.bin')).size, 200 * 1024);
      } finally {
        spawnSync('umount', [mnt]);
      }
    });

    test('--dry-run writes nothing; --shard splits exactly; --dedupe keeps the newest re-export', async () => {
      const dest = join(tmp, 'dry');
      const r = await runCli(['pull', p.loc('small'), dest, '--dry-run', '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).files.length, small.size);
      assert.ok(!existsSync(dest));
      const seen: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const s = await runCli(['pull', p.loc('small'), dest, '--dry-run', '--json', '--shard', `${i}/3`], { env: p.env });
        assert.equal(s.code, 0, s.stderr);
        seen.push(...JSON.parse(s.stdout).files.map((f: { key: string }) => f.key));
      }
      assert.deepEqual(seen.sort(), [...small.keys()].sort());
      const bad = await runCli(['pull', p.loc('small'), dest, '--shard', '4/3'], { env: p.env });
      assert.equal(bad.code, 2);

      await p.seed('amp', [{ key: 'export/123_2026-01-05_7#0.json.gz', body: gzipSync('old\n') }]);
      await new Promise((r) => setTimeout(r, 1100));
      await p.seed('amp', [
        { key: 'backfill/123_2026-01-05_7#0.json.gz', body: gzipSync('new\n') },
        { key: 'export/123_2026-01-05_8#0.json.gz', body: gzipSync('eight\n') },
      ]);
      const d = await runCli(['pull', p.loc('amp'), join(tmp, 'amp'), '--dedupe', '--decompress', '--flatten'], { env: p.env });
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stderr, /duplicate\s+export\/123_2026-01-05_7#0\.json\.gz \(same partition as backfill\/123_2026-01-05_7#0\.json\.gz; kept that one\)/);
      assert.deepEqual(walk(join(tmp, 'amp')), ['123_2026-01-05_7#0.json', '123_2026-01-05_8#0.json']);
      assert.equal(readFileSync(join(tmp, 'amp', '123_2026-01-05_7#0.json'), 'utf8'), 'new\n');
    });

    test('through a faulty network (resets, 503s, truncated and slow bodies) every file is byte-identical', async () => {
      const faults: Fault[] = ['reset', '503', 'truncate', 'slow', 'none', 'truncate', 'none'];
      const proxy = await startFaultProxy(p.upstream, (n) => faults[n % faults.length], { slowBytesPerSec: 8 * MiB });
      try {
        const via = p.via(proxy.url);
        const dest = join(tmp, 'faulty');
        const r1 = await runCli(['pull', via.loc('small'), dest, '--json', '--concurrency', '4'], { env: via.env });
        assert.equal(r1.code, 0, r1.stderr);
        const r2 = await runCli(['pull', via.loc('big'), dest, '--json', '--multipart-threshold', '4M', '--chunk-size', '2M'], { env: via.env });
        assert.equal(r2.code, 0, r2.stderr);
        for (const [key, body] of small) assert.ok(readFileSync(join(dest, key)).equals(body), key);
        assert.equal(sha(readFileSync(join(dest, 'dumps/h1/jvm-heap-dump.hprof'))), sha(big));
        assert.ok(proxy.injected.reset > 0 && proxy.injected['503'] > 0 && proxy.injected.truncate > 0 && proxy.injected.slow > 0, JSON.stringify(proxy.injected));
        if (zstdBin) {
          const r3 = await runCli(['pull', via.loc('packed'), join(tmp, 'faulty-dec'), '--decompress'], { env: via.env });
          assert.equal(r3.code, 0, r3.stderr);
          assert.equal(sha(readFileSync(join(tmp, 'faulty-dec', 'a/access.json'))), sha(plainLog));
        }
      } finally {
        await proxy.close();
      }
    });

    test('Ctrl-C (SIGINT) mid-pull: exit 130, part file kept, nothing incomplete under a final name', async () => {
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 2 * MiB });
      const via = p.via(proxy.url);
      const dest = join(tmp, 'sigint');
      const target = join(dest, 'dumps/h1/jvm-heap-dump.hprof');
      try {
        const child = spawn(process.execPath, [BIN, 'pull', via.loc('big'), dest, '--multipart-threshold', '4M', '--chunk-size', '1M'], {
          env: cleanEnv(via.env),
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && !existsSync(target + '.archive-part')) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 500));
        child.kill('SIGINT');
        const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
        assert.equal(code, 130, err);
        assert.match(err, /^archive: interrupted: part files were kept; run the same command again to resume$/m);
        assert.ok(!existsSync(target));
        assert.ok(existsSync(target + '.archive-part'));
      } finally {
        await proxy.close();
      }
    });

    test('kill -9 mid-pull leaves no incomplete final file; re-run resumes and skips finished files', async () => {
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 2 * MiB });
      const via = p.via(proxy.url);
      const dest = join(tmp, 'killed');
      const target = join(dest, 'dumps/h1/jvm-heap-dump.hprof');
      try {
        const child = spawn(process.execPath, [BIN, 'pull', via.loc('big'), dest, '--multipart-threshold', '4M', '--chunk-size', '1M', '--concurrency', '2'], {
          env: cleanEnv(via.env),
          stdio: 'ignore',
        });
        // Wait until a few chunks are on disk, then kill without warning.
        const deadline = Date.now() + 60_000;
        const statePath = target + '.archive-part.json';
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          if (existsSync(statePath)) {
            try {
              if ((JSON.parse(readFileSync(statePath, 'utf8')).done ?? []).length >= 3) break;
            } catch {
              /* being rewritten */
            }
          }
        }
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        assert.ok(!existsSync(target), 'no file under the final name after kill -9');
        assert.ok(existsSync(target + '.archive-part'));
      } finally {
        await proxy.close();
      }
      const r = await runCli(['pull', p.loc('big'), dest, '--multipart-threshold', '4M', '--chunk-size', '1M', '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(r.stdout).files[0];
      assert.equal(f.status, 'downloaded');
      assert.ok(f.resumedBytes >= 3 * MiB, `resumed ${f.resumedBytes}`);
      assert.equal(sha(readFileSync(target)), sha(big));
      assert.deepEqual(walk(dest), ['dumps/h1/jvm-heap-dump.hprof']);
      const mtime = statSync(target).mtimeMs;
      const again = await runCli(['pull', p.loc('big'), dest, '--json'], { env: p.env });
      assert.equal(JSON.parse(again.stdout).files[0].status, 'skipped');
      assert.equal(statSync(target).mtimeMs, mtime);
    });
  });
}
