/**
 * PositionalWriter / FileSink: the bytes land at the right offsets whatever the batch borders,
 * short writev results are continued, and the sink's count and hash match what is on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink, PositionalWriter } from '../src/pull/file-writer.js';

function chunks(total: number, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let n = 0;
  for (let i = 0; n < total; i++) {
    const len = Math.min(sizes[i % sizes.length]!, total - n);
    out.push(Buffer.from(Array.from({ length: len }, (_, j) => (n + j) % 251)));
    n += len;
  }
  return out;
}

/** A real file handle whose writev writes at most `cap` bytes per call, as the kernel may. */
function shortWrites(fh: FileHandle, cap: number): FileHandle {
  return new Proxy(fh, {
    get(target, prop) {
      if (prop === 'writev') {
        return async (bufs: Buffer[], pos: number) => {
          const all = Buffer.concat(bufs);
          return target.writev([all.subarray(0, Math.min(cap, all.length))], pos);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

test('PositionalWriter writes every byte at its offset, continuing short writes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archive-fw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, cap, start] of [
    ['full', Infinity, 0],
    ['short', 100_003, 0],
    ['offset', 65_537, 5000],
  ] as const) {
    const file = join(dir, name);
    const fh = await open(file, 'w');
    const data = chunks(3 * 1024 * 1024 + 17, [65536, 1, 300_000, 4096]);
    const w = new PositionalWriter(cap === Infinity ? fh : shortWrites(fh, cap), start, 1 << 20);
    for (const c of data) await w.push(c);
    await w.flush();
    await fh.close();
    const got = await readFile(file);
    const want = Buffer.concat([Buffer.alloc(start), ...data]);
    assert.equal(got.length, want.length, name);
    assert.ok(got.equals(want), `${name}: content differs`);
    assert.equal(w.position, want.length, name);
  }
});

test('FileSink counts and hashes exactly what it wrote', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archive-fw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'sink');
  const fh = await open(file, 'w');
  const data = chunks(5 * 1024 * 1024 + 3, [1 << 20, 7, 123_456]);
  const sink = new FileSink(shortWrites(fh, 777_777), 'sha256');
  await pipeline(Readable.from(data), sink);
  await fh.close();
  const disk = await readFile(file);
  assert.equal(sink.bytes, disk.length);
  assert.equal(disk.length, 5 * 1024 * 1024 + 3);
  assert.equal(sink.digest(), createHash('sha256').update(disk).digest('hex'));
  assert.ok(disk.equals(Buffer.concat(data)));
});

test('FileSink fails the pipeline when the file cannot be written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archive-fw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fh = await open(join(dir, 'ro'), 'w');
  await fh.close(); // writes on a closed handle fail with EBADF
  await assert.rejects(
    pipeline(Readable.from(chunks(2 << 20, [65536])), new FileSink(fh)),
    (e: NodeJS.ErrnoException) => e.code === 'EBADF',
  );
});
