/**
 * `archive cat` on both emulators: time order across hosts, decoding, early pipe close, corrupt input.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { ZstdFixtures, zstdProgram } from './support/zstd-fixtures.js';

const zstdBin = zstdProgram();
const NO_ZSTD = 'the zstd program (needed to make .zst fixtures) is not on PATH: apt-get install zstd';

/** 64 KiB fill a Linux pipe; the last 8 KiB stay queued in the process when the reader is slow. */
const tail72k = randomBytes(72 * 1024);

function lines(host: string, hour: number): string {
  return `${Array.from({ length: 3 }, (_, i) => JSON.stringify({ host, hour, i })).join('\n')}\n`;
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
      const r = await runCli(['cat', p.loc('vespa', `${base}/`)], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const hours = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).hour);
      assert.deepEqual(hours, [10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13]);
      assert.equal(r.stderr, '');
    });

    test('the .zst objects among them are decoded (not only the .gz ones)', { skip: zstdBin ? false : NO_ZSTD }, async () => {
      const r = await runCli(['cat', p.loc('vespa', `${base}/h1.example/`)], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, lines('h1', 10) + lines('h1', 12));
      const listed = await runCli(['list', p.loc('vespa', `${base}/h1.example/`), '--ndjson'], { env: p.env });
      assert.deepEqual(
        listed.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).key.split('.').pop()),
        ['zst', 'zst'],
      );
    });

    test('--order key, --since filter, several locations', async () => {
      const k = await runCli(['cat', p.loc('vespa', `${base}/`), '--order', 'key', '--kind', 'access'], { env: p.env });
      assert.equal(k.code, 0, k.stderr);
      assert.deepEqual(
        [
          ...new Set(
            k.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).hour),
          ),
        ],
        [10, 12, 11, 13],
      );
      const s = await runCli(
        ['cat', p.loc('vespa', `${base}/h1.example/`), p.loc('vespa', `${base}/h2.example/`), '--since', '2026-01-05T12:30:00Z'],
        { env: p.env },
      );
      assert.equal(s.code, 0, s.stderr);
      // The 12:00 file covers 12:00-13:00 (hourly rotation) and overlaps 12:30.
      assert.deepEqual(
        [
          ...new Set(
            s.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).hour),
          ),
        ],
        [12, 13],
      );
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
      // The reader sleeps first, so the pipe is full when cat has written its last chunk. The
      // stamps prove the reader really was slow: archive could only exit after it began reading.
      const dir = mkdtempSync(join(tmpdir(), 'archive-pipe-'));
      try {
        const out = join(dir, 'out');
        const script = `{ "$0" "$1" cat --raw "$2"; echo $? > "$4"; date +%s%N > "$5"; } | { sleep 1; date +%s%N > "$6"; cat > "$3"; }`;
        const child = spawn(
          'sh',
          ['-c', script, process.execPath, BIN, p.loc('pipe'), out, join(dir, 'code'), join(dir, 'writer-done'), join(dir, 'reader-start')],
          {
            env: cleanEnv(p.env),
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        assert.equal(code, 0, err);
        assert.equal(readFileSync(join(dir, 'code'), 'utf8').trim(), '0', err);
        const writerDone = BigInt(readFileSync(join(dir, 'writer-done'), 'utf8').trim());
        const readerStart = BigInt(readFileSync(join(dir, 'reader-start'), 'utf8').trim());
        assert.ok(writerDone > readerStart, 'archive exited before the reader read anything: the reader was not slow, nothing was proven');
        assert.equal(readFileSync(out).length, tail72k.length);
        assert.ok(readFileSync(out).equals(tail72k));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a corrupt object: named on stderr, the others written, exit 5', async () => {
      const r = await runCli(['cat', p.loc('corrupt')], { env: p.env });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /^archive: c\/JsonAccessLog\.default\.20260105090000\.gz: /m);
      assert.match(r.stderr, /^archive: 1 of 2 objects could not be read/m);
      assert.equal(r.stdout, lines('h4', 10), 'the good object, whole, and nothing of the bad one');
    });

    test('missing container → exit 4', async () => {
      const r = await runCli(['cat', p.loc('nope')], { env: p.env });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, name === 'azure' ? /^archive: .*\(ContainerNotFound\)$/m : /^archive: .*\(NoSuchBucket\)$/m);
      assert.match(r.stderr, /^hint: /m);
      assert.equal(r.stdout, '');
    });

    test('stdout on a full device (/dev/full, ENOSPC): exit 1 naming it, never a quiet 0', async () => {
      // ENOSPC injected where no file system can be mounted: /dev/full refuses every write.
      for (const args of [
        ['cat', p.loc('pipe')],
        ['list', p.loc('vespa'), '--ndjson'],
      ]) {
        const fd = openSync('/dev/full', 'w');
        try {
          const r = spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(p.env), stdio: ['ignore', fd, 'pipe'] });
          const err = r.stderr.toString();
          assert.equal(r.status, 1, `${args[0]}: ${err}`);
          assert.match(err, /^archive: cannot write the output: no space left on the device \(ENOSPC\)$/m, args[0]);
          assert.match(err, /^hint: stdout could not take all of it/m);
        } finally {
          closeSync(fd);
        }
      }
    });
  });
}
