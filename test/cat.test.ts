/**
 * `archive cat` on both emulators: time order across hosts, decoding, early pipe close, corrupt input.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { ZstdFixtures, zstdProgram } from './support/zstd-fixtures.js';

const zstdBin = zstdProgram();

/** 64 KiB fill a Linux pipe; the last 8 KiB stay queued in the process when the reader is slow. */
const tail72k = randomBytes(72 * 1024);

function lines(host: string, hour: number): string {
  return Array.from({ length: 3 }, (_, i) => JSON.stringify({ host, hour, i })).join('\n') + '\n';
}

for (const name of PROVIDERS) {
  describe(`cat on ${name}`, () => {
    let p: ProviderFixture;
    const base = 'acme/search/prod';
    before(async () => {
      p = await startProvider(name);
      const fx = zstdBin ? new ZstdFixtures(zstdBin) : undefined;
      const enc = (s: string) => (fx ? fx.compress(Buffer.from(s)) : gzipSync(s));
      const ext = fx ? 'zst' : 'gz';
      // Key order is host-major; time order interleaves the hosts.
      await p.seed('vespa', [
        { key: `${base}/h1.example/logs/access/JsonAccessLog.default.20260105100000.${ext}`, body: enc(lines('h1', 10)) },
        { key: `${base}/h1.example/logs/access/JsonAccessLog.default.20260105120000.${ext}`, body: enc(lines('h1', 12)) },
        { key: `${base}/h2.example/logs/access/JsonAccessLog.default.20260105110000.gz`, body: gzipSync(lines('h2', 11)) },
        { key: `${base}/h2.example/logs/access/JsonAccessLog.default.20260105130000`, body: lines('h2', 13) },
      ]);
      await p.seed('big', [{ key: 'x/big.log.gz', body: gzipSync(randomBytes(6 * 1024 * 1024).toString('base64')) }]);
      await p.seed('pipe', [{ key: 'p/72k.log', body: tail72k }]);
      const bad = gzipSync(lines('h3', 9));
      bad[12] ^= 0xff;
      bad[13] ^= 0xff;
      await p.seed('corrupt', [
        { key: 'c/JsonAccessLog.default.20260105090000.gz', body: bad },
        { key: 'c/JsonAccessLog.default.20260105100000.gz', body: gzipSync(lines('h4', 10)) },
      ]);
      fx?.cleanup();
    });
    after(async () => p?.stop());

    test('decoded objects in time order across hosts', async () => {
      const r = await runCli(['cat', p.loc('vespa', base + '/')], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const hours = r.stdout.trim().split('\n').map((l) => JSON.parse(l).hour);
      assert.deepEqual(hours, [10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13]);
      assert.equal(r.stderr, '');
    });

    test('--order key, --since filter, several locations', async () => {
      const k = await runCli(['cat', p.loc('vespa', base + '/'), '--order', 'key', '--kind', 'access'], { env: p.env });
      assert.equal(k.code, 0, k.stderr);
      assert.deepEqual([...new Set(k.stdout.trim().split('\n').map((l) => JSON.parse(l).hour))], [10, 12, 11, 13]);
      const s = await runCli(['cat', p.loc('vespa', base + '/h1.example/'), p.loc('vespa', base + '/h2.example/'), '--since', '2026-01-05T12:30:00Z'], { env: p.env });
      assert.equal(s.code, 0, s.stderr);
      // The 12:00 file covers 12:00-13:00 (hourly rotation) and overlaps 12:30.
      assert.deepEqual([...new Set(s.stdout.trim().split('\n').map((l) => JSON.parse(l).hour))], [12, 13]);
    });

    test('closing the pipe early (| head) exits 0 quietly', async () => {
      const child = spawn(process.execPath, [BIN, 'cat', p.loc('big')], { env: cleanEnv(p.env), stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      assert.equal(code, 0, err);
      assert.equal(err, '');
    });

    test('a slow reader still gets every byte: the process waits for stdout to flush before exiting', async () => {
      // The reader sleeps first, so the pipe is full when cat has written its last chunk.
      const dir = mkdtempSync(join(tmpdir(), 'archive-pipe-'));
      try {
        const out = join(dir, 'out');
        const child = spawn('sh', ['-c', `"$0" "$1" cat --raw "$2" | (sleep 1.5; cat > "$3")`, process.execPath, BIN, p.loc('pipe'), out], { env: cleanEnv(p.env), stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        assert.equal(code, 0, err);
        assert.equal(readFileSync(out).length, tail72k.length);
        assert.ok(readFileSync(out).equals(tail72k));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a corrupt object: named on stderr, the others written, exit 5', async () => {
      const r = await runCli(['cat', p.loc('corrupt')], { env: p.env });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /c\/JsonAccessLog\.default\.20260105090000\.gz/);
      assert.match(r.stderr, /^archive: 1 of 2 objects could not be read/m);
      assert.ok(r.stdout.includes('"host":"h4"'));
    });

    test('missing container → exit 4', async () => {
      const r = await runCli(['cat', p.loc('nope')], { env: p.env });
      assert.equal(r.code, 4, r.stderr);
    });
  });
}
