import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ArchiveError, IntegrityError, UsageError } from '../src/errors.js';
import {
  FZSTD_MAX_WINDOW,
  codecFor,
  createDecoder,
  stripCodecSuffix,
  zstdDecoderKind,
  type Codec,
  type ZstdDecoderKind,
} from '../src/decompress/index.js';
import { parseFrameHeader } from '../src/decompress/frame-header.js';
import { ZstdFrameScanner } from '../src/decompress/frame-scanner.js';
import { BinaryZstdDecoder } from '../src/decompress/zstd-binary.js';
import { FzstdDecoder, loadFzstdDeps } from '../src/decompress/zstd-fzstd.js';
import { HYBRID_FZSTD_MAX_WINDOW, HybridZstdDecoder } from '../src/decompress/zstd-hybrid.js';
import { MiB, ZstdFixtures, farMatchData, logData, sha256, skippableFrame, zstdProgram } from './support/zstd-fixtures.js';

const ENV = 'ARCHIVE_ZSTD_DECODER';
const HAS_NATIVE = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
const ZSTD = zstdProgram();
/** 'fzstd+binary' is what auto picks on Node 20 with zstd on PATH; the tests build it directly, so it runs on every Node. */
const KINDS: ZstdDecoderKind[] = ['native', 'binary', 'fzstd', 'fzstd+binary'];

/** Why a decoder path cannot run here, or undefined when it can. */
function unavailable(kind: ZstdDecoderKind): string | undefined {
  if (!ZSTD) return 'the zstd program (needed to generate fixtures) is not on PATH';
  if (kind === 'native' && !HAS_NATIVE) {
    return `Node ${process.versions.node} has no zlib zstd (needs >= 22.15 / 23.8); npm run test:node24 covers this path`;
  }
  return undefined;
}

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Feeds `input` in chunks of the given sizes (cycled), to move chunk borders around. */
function chunked(input: Uint8Array, sizes: number[]): Readable {
  return Readable.from(
    (function* () {
      let at = 0;
      for (let i = 0; at < input.length; i++) {
        const n = sizes[i % sizes.length]!;
        yield Buffer.from(input.subarray(at, at + n));
        at += n;
      }
    })(),
  );
}

/**
 * Feeds `input` through `dec` into a consumer that takes one tick per chunk, and reports the most
 * decoded bytes ever waiting for it (in the decoder's buffer or queued at the sink).
 */
async function drainSlowly(input: Buffer, dec: Duplex): Promise<{ digest: string; maxBuffered: number }> {
  const h = createHash('sha256');
  let maxBuffered = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(c: Buffer, _e, cb) {
      maxBuffered = Math.max(maxBuffered, dec.readableLength + sink.writableLength);
      h.update(c);
      setImmediate(cb);
    },
  });
  await pipeline(chunked(input, [256 * 1024]), dec, sink);
  return { digest: h.digest('hex'), maxBuffered };
}

interface Decoded {
  sha: string;
  bytes: number;
}

/** A decoder of this kind: forced with ARCHIVE_ZSTD_DECODER, or the hybrid built directly. */
async function makeDecoder(kind: ZstdDecoderKind | undefined, codec: Codec, label: string): Promise<Duplex> {
  if (kind === 'fzstd+binary' && codec === 'zstd') return new HybridZstdDecoder(label, ZSTD!, await loadFzstdDeps());
  return withEnv({ [ENV]: kind }, () => createDecoder(codec, { label }));
}

async function decodeWith(
  kind: ZstdDecoderKind | undefined,
  codec: Codec,
  input: Uint8Array | string,
  label = 'logs/x',
  sizes = [256 * 1024],
): Promise<Decoded> {
  return withEnv({ [ENV]: kind === 'fzstd+binary' ? undefined : kind }, async () => {
    const dec = await makeDecoder(kind, codec, label);
    const h = createHash('sha256');
    let bytes = 0;
    const src = typeof input === 'string' ? createReadStream(input, { highWaterMark: 256 * 1024 }) : chunked(input, sizes);
    await pipeline(
      src,
      dec,
      new Writable({
        write(c: Buffer, _e, cb) {
          h.update(c);
          bytes += c.length;
          cb();
        },
      }),
    );
    return { sha: h.digest('hex'), bytes };
  });
}

async function assertDecodes(
  kind: ZstdDecoderKind | undefined,
  codec: Codec,
  input: Uint8Array | string,
  original: Uint8Array,
  sizes?: number[],
): Promise<void> {
  const out = await decodeWith(kind, codec, input, 'logs/x', sizes);
  assert.equal(out.bytes, original.length);
  assert.equal(out.sha, sha256(original));
}

async function assertIntegrityError(
  kind: ZstdDecoderKind | undefined,
  codec: Codec,
  input: Uint8Array,
  label: string,
  detail?: RegExp,
): Promise<void> {
  await assert.rejects(decodeWith(kind, codec, input, label), (err: unknown) => {
    assert.ok(err instanceof IntegrityError, `expected IntegrityError, got ${String(err)}`);
    assert.ok(err.message.includes(label), `message names the object: ${err.message}`);
    assert.match(err.message, new RegExp(`corrupt ${codec} data`));
    if (detail) assert.match(err.message, detail);
    assert.ok(err.hint && err.hint.length > 0, 'has a hint');
    return true;
  });
}

function flipMiddle(b: Uint8Array): Buffer {
  const c = Buffer.from(b);
  c[c.length >> 1] ^= 0x40;
  return c;
}

let fx: ZstdFixtures;
const data = logData(3 * MiB, 7);
const cache = new Map<string, Buffer>();
function memo(key: string, make: () => Buffer): Buffer {
  let v = cache.get(key);
  if (!v) cache.set(key, (v = make()));
  return v;
}
const single = (): Buffer => memo('single', () => fx.compress(data, ['-3']));
const singleNoCheck = (): Buffer => memo('nocheck', () => fx.compress(data, ['-3', '--no-check']));
const viaStdin = (): Buffer => memo('stdin', () => fx.compress(data, ['-3'], false));
/** Frames as a log rotator appends them: with and without checksum, an empty one, skippable frames. */
const multiParts = (): Buffer[] => [
  data.subarray(0, MiB),
  data.subarray(MiB, MiB),
  data.subarray(MiB, 2 * MiB + 12345),
  data.subarray(2 * MiB + 12345),
];
const multi = (): Buffer =>
  memo('multi', () => {
    const [a, b, c, d] = multiParts();
    return Buffer.concat([
      skippableFrame(Buffer.from('seekable index or metadata'), 0xe),
      fx.compress(a!, ['-3']),
      fx.compress(b!, [], false), // empty frame
      skippableFrame(Buffer.alloc(0)),
      fx.compress(c!, ['-1', '--no-check'], false),
      fx.compress(d!, ['-19']),
    ]);
  });
/** Many small frames (16 KiB each), as streaming loggers flush them. */
const smallFrames = (): Buffer =>
  memo('small', () => {
    const frames: Buffer[] = [];
    for (let at = 0; at < MiB; at += 16 * 1024) frames.push(fx.compress(data.subarray(at, at + 16 * 1024), ['-3']));
    return Buffer.concat(frames);
  });
/** 64 MiB window (stdin, --long=26) with matches ~60 MiB back: the largest fzstd is trusted with. */
const farData64 = (): Buffer => memo('far64', () => farMatchData(60 * MiB));
const window64 = (): Buffer => memo('w64', () => fx.compress(farData64(), ['-1', '--long=26'], false));
/** ~104 MiB single-segment frame (window = content size) with matches 100 MiB back. */
const farData100 = (): Buffer => memo('far100', () => farMatchData(100 * MiB));
const window100 = (): Buffer => memo('w100', () => fx.compress(farData100(), ['-1', '--long=27']));
/** Small data, but the frame declares a 256 MiB window (stdin, --long=28). */
const window256 = (): Buffer => memo('w256', () => fx.compress(data, ['-3', '--long=28'], false));

/** Frames with small windows (fzstd in the hybrid) and 256 MiB windows (the zstd program), interleaved. */
const mixedParts = (): Buffer[] => [
  data.subarray(0, MiB),
  data.subarray(MiB, 2 * MiB),
  data.subarray(2 * MiB, 2 * MiB + 5000),
  data.subarray(2 * MiB + 5000),
  data.subarray(0, 300000),
];
const mixedWindowsData = (): Buffer => Buffer.concat(mixedParts());
const mixedWindows = (): Buffer =>
  memo('mixed-windows', () => {
    const [a, b, c, d, e] = mixedParts();
    return Buffer.concat([
      fx.compress(a!, ['-3']), // small window: fzstd
      fx.compress(b!, ['-3', '--long=28'], false), // 256 MiB window: the program
      fx.compress(c!, ['-3', '--long=27', '--no-check'], false), // 128 MiB: same child
      skippableFrame(Buffer.from('index')),
      fx.compress(d!, ['-19', '--no-check']), // fzstd again
      fx.compress(e!, ['-3', '--long=28'], false), // a second child
    ]);
  });
/** ~50 MiB decoded from one frame declaring a 256 MiB window (the hybrid sends it to the program). */
const bigLongData = (): Buffer => memo('big-long-data', () => Buffer.concat(Array.from({ length: 50 }, () => data.subarray(0, MiB))));
const bigLong = (): Buffer => memo('big-long', () => fx.compress(bigLongData(), ['-3', '--long=28'], false));

before(() => {
  if (ZSTD) fx = new ZstdFixtures(ZSTD);
});
after(() => {
  fx?.cleanup();
});

describe('codec by suffix', () => {
  it('codecFor', () => {
    assert.equal(codecFor('a/b/c.log.zst'), 'zstd');
    assert.equal(codecFor('c.log.ZSTD'), 'zstd');
    assert.equal(codecFor('x.json.gz'), 'gzip');
    assert.equal(codecFor('x.GZIP'), 'gzip');
    assert.equal(codecFor('x.json'), 'none');
    assert.equal(codecFor('x.tar.gz.part'), 'none');
    assert.equal(codecFor('dir/.gz'), 'none');
  });
  it('stripCodecSuffix', () => {
    assert.equal(stripCodecSuffix('a.log.gz'), 'a.log');
    assert.equal(stripCodecSuffix('dir/a.log.ZST'), 'dir/a.log');
    assert.equal(stripCodecSuffix('a.zstd'), 'a');
    assert.equal(stripCodecSuffix('a.log'), 'a.log');
    assert.equal(stripCodecSuffix('dir/.gz'), 'dir/.gz');
  });
  it("'none' passes bytes through", async () => {
    await assertDecodes(undefined, 'none', data, data);
  });
});

describe('zstd frame header and scanner', () => {
  it('parses window descriptor, content size, checksum, dictionary id', () => {
    // FHD 0x04: checksum, no FCS, window descriptor 0x58 = 2^(10+11) * (1 + 0/8) = 2 MiB
    let h = parseFrameHeader(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58]));
    assert.deepEqual(h, {
      headerSize: 6,
      windowSize: 2 * MiB,
      singleSegment: false,
      contentSize: undefined,
      hasChecksum: true,
      dictionaryId: 0,
    });
    // window descriptor 0x83: 2^26 + 3 * 2^23 = 88 MiB
    h = parseFrameHeader(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x83]));
    assert.equal(h.windowSize, 88 * MiB);
    // FHD 0x61: single segment, 2-byte FCS (+256), 1-byte dictionary id
    h = parseFrameHeader(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x61, 0x07, 0x10, 0x00]));
    assert.deepEqual(h, {
      headerSize: 8,
      windowSize: 0x10 + 256,
      singleSegment: true,
      contentSize: 0x10 + 256,
      hasChecksum: false,
      dictionaryId: 7,
    });
    assert.throws(() => parseFrameHeader(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x08, 0x58])), /reserved bit/);
  });

  it('finds every frame, whatever the chunk borders (1-byte chunks)', (t) => {
    if (!ZSTD) return t.skip('the zstd program (needed to generate fixtures) is not on PATH');
    const extra = [fx.compress(data.subarray(0, 5000), ['-3']), fx.compress(data.subarray(5000, 9000), ['-3', '--no-check'])];
    const whole = Buffer.concat([multi(), ...extra]);
    const skippableBytes = skippableFrame(Buffer.from('seekable index or metadata')).length + 8;
    const scan = (buf: Buffer): { frames: number; ends: number; bytes: number; scanner: ZstdFrameScanner } => {
      const scanner = new ZstdFrameScanner({ splitBlocks: true });
      let frames = 0;
      let ends = 0;
      let bytes = 0;
      for (let i = 0; i < buf.length; i++) {
        for (const ev of scanner.push(buf.subarray(i, i + 1))) {
          if (ev.type === 'frame') {
            frames++;
            bytes += ev.head.length;
          } else if (ev.type === 'data') bytes += ev.bytes.length;
          else {
            ends++;
            assert.equal(ev.index, frames);
          }
        }
      }
      scanner.finish();
      return { frames, ends, bytes, scanner };
    };
    const r = scan(whole);
    assert.equal(r.frames, 6);
    assert.equal(r.ends, 6);
    assert.equal(r.scanner.skippableSeen, 2);
    assert.equal(r.bytes, whole.length - skippableBytes);
    assert.throws(() => scan(whole.subarray(0, whole.length - 5)), /truncated: the input ends inside frame 6/);
    assert.throws(() => scan(Buffer.concat([whole, Buffer.from([0x28, 0xb5])])), /truncated/);
  });
});

for (const kind of KINDS) {
  describe(`zstd via ${kind}`, () => {
    const skip = (t: TestContext): boolean => {
      const why = unavailable(kind);
      if (why) t.skip(why);
      return why !== undefined;
    };

    it('is what ARCHIVE_ZSTD_DECODER selects', async (t) => {
      if (skip(t)) return;
      if (kind === 'fzstd+binary') return t.skip('not forceable; chosen automatically (see "zstd decoder selection")');
      assert.equal(await withEnv({ [ENV]: kind }, () => zstdDecoderKind()), kind);
    });

    it('single frame with checksum and content size', async (t) => {
      if (skip(t)) return;
      await assertDecodes(kind, 'zstd', single(), data);
    });

    it('single frame without checksum (--no-check)', async (t) => {
      if (skip(t)) return;
      await assertDecodes(kind, 'zstd', singleNoCheck(), data);
    });

    it('frame written through a pipe (no content size)', async (t) => {
      if (skip(t)) return;
      await assertDecodes(kind, 'zstd', viaStdin(), data, [1000, 65536, 3]);
    });

    it('concatenated frames, an empty frame and skippable frames', async (t) => {
      if (skip(t)) return;
      await assertDecodes(kind, 'zstd', multi(), Buffer.concat(multiParts()), [4096, 100000, 7]);
    });

    it('many small frames', async (t) => {
      if (skip(t)) return;
      await assertDecodes(kind, 'zstd', smallFrames(), data.subarray(0, MiB));
    });

    it('frame padded with 700k empty blocks (2 MiB framing for 1000 bytes of content)', async (t) => {
      if (skip(t)) return;
      const content = data.subarray(0, 1000);
      const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]); // single segment, 4-byte FCS
      header.writeUInt32LE(content.length, 5);
      const last = Buffer.alloc(3);
      last.writeUIntLE((content.length << 3) | 1, 0, 3); // raw, last block
      const frame = Buffer.concat([header, Buffer.alloc(3 * 700_000), last, content]);
      await assertDecodes(kind, 'zstd', frame, content);
    });

    it('flipped byte in the middle → IntegrityError naming the object', async (t) => {
      if (skip(t)) return;
      await assertIntegrityError(kind, 'zstd', flipMiddle(single()), 'vespa/2024/01/01/flip.log.zst');
    });

    it('truncated → IntegrityError', async (t) => {
      if (skip(t)) return;
      const s = single();
      await assertIntegrityError(kind, 'zstd', s.subarray(0, s.length >> 1), 'trunc.zst');
      await assertIntegrityError(kind, 'zstd', s.subarray(0, s.length - 2), 'trunc-checksum.zst');
      const m = multi();
      await assertIntegrityError(kind, 'zstd', m.subarray(0, m.length - 100), 'trunc-multi.zst');
    });

    it('trailing garbage, empty input, not zstd → IntegrityError', async (t) => {
      if (skip(t)) return;
      await assertIntegrityError(kind, 'zstd', Buffer.concat([single(), Buffer.from('garbage!')]), 'garbage.zst');
      await assertIntegrityError(kind, 'zstd', Buffer.alloc(0), 'empty.zst');
      await assertIntegrityError(kind, 'zstd', data.subarray(0, 100000), 'plain.zst');
    });

    it('frame declaring a 256 MiB window (zstd --long=28)', async (t) => {
      if (skip(t)) return;
      assert.match(fx.describe(window256()), /Window Size: 256 MiB/);
      if (kind === 'fzstd') {
        await assert.rejects(decodeWith(kind, 'zstd', window256(), 'big-window.zst'), (err: unknown) => {
          assert.ok(err instanceof ArchiveError && !(err instanceof IntegrityError), String(err));
          assert.match(err.message, /big-window\.zst: zstd frame 1 uses a 256 MiB window/);
          assert.match(err.message, /up to 64 MiB/);
          assert.match(err.hint ?? '', /Node\.js >= 22\.15/);
          assert.match(err.hint ?? '', /apt-get install zstd/);
          return true;
        });
      } else {
        await assertDecodes(kind, 'zstd', window256(), data);
      }
    });

    it('64 MiB window with matches 60 MiB back (largest window fzstd accepts)', async (t) => {
      if (skip(t)) return;
      assert.equal(FZSTD_MAX_WINDOW, 64 * MiB);
      assert.match(fx.describe(window64()), /Window Size: 64(\.0)? MiB/);
      await assertDecodes(kind, 'zstd', window64(), farData64());
    });

    it('~104 MiB window with matches 100 MiB back (fzstd would decode it wrongly)', async (t) => {
      if (skip(t)) return;
      const f = fx.file('w100', window100());
      if (kind === 'fzstd') {
        await assert.rejects(decodeWith(kind, 'zstd', f, 'w100.zst'), (err: unknown) => {
          assert.ok(err instanceof ArchiveError && !(err instanceof IntegrityError), String(err));
          assert.match(err.message, /uses a 104 MiB window/);
          return true;
        });
      } else {
        await assertDecodes(kind, 'zstd', f, farData100());
      }
    });

    it('keeps memory bounded with a slow consumer (64 MiB decoded from ~1.6 MB)', async (t) => {
      if (skip(t)) return;
      const chunk = data.subarray(0, MiB);
      const big = Buffer.concat(Array.from({ length: 64 }, () => chunk));
      const compressed = memo('bomb', () => fx.compress(big, ['-3'], false));
      assert.ok(compressed.length < 2 * MiB);
      await withEnv({ [ENV]: undefined }, async () => {
        const dec = await makeDecoder(kind, 'zstd', 'bomb.zst');
        const { digest, maxBuffered } = await drainSlowly(compressed, dec);
        assert.equal(digest, sha256(big));
        t.diagnostic(`most decoded bytes waiting for the consumer: ${maxBuffered}`);
        assert.ok(maxBuffered <= 4 * MiB, `decoder buffered ${maxBuffered} bytes`);
      });
    });

    it('stops cleanly when aborted mid-stream', async (t) => {
      if (skip(t)) return;
      await withEnv({ [ENV]: undefined }, async () => {
        const dec: Duplex = await makeDecoder(kind, 'zstd', 'abort.zst');
        const ac = new AbortController();
        const s = single();
        // Input that stalls after half of the object.
        const src = new Readable({ read() {} });
        src.push(s.subarray(0, s.length >> 1));
        let got = 0;
        const done = pipeline(
          src,
          dec,
          new Writable({
            write(c: Buffer, _e, cb) {
              got += c.length;
              ac.abort(); // on the first decoded bytes
              cb();
            },
          }),
          { signal: ac.signal },
        );
        await assert.rejects(done, { name: 'AbortError' });
        assert.ok(got > 0, 'aborted on the first decoded bytes');
        assert.ok(dec.destroyed);
        const child = (dec as unknown as { child?: import('node:child_process').ChildProcess }).child;
        if (kind === 'binary') {
          assert.ok(child);
          if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
          assert.equal(child.signalCode, 'SIGKILL');
        }
      });
    });
  });
}

describe('zstd via fzstd+binary: the choice per frame', () => {
  const skip = (t: TestContext): boolean => {
    if (!ZSTD) t.skip('the zstd program (needed to generate fixtures) is not on PATH');
    return !ZSTD;
  };
  type Stats = HybridZstdDecoder['stats'];
  async function decodeHybrid(input: Uint8Array, label = 'hybrid.zst', sizes = [256 * 1024]): Promise<Decoded & { stats: Stats }> {
    const dec = new HybridZstdDecoder(label, ZSTD!, await loadFzstdDeps());
    const h = createHash('sha256');
    let bytes = 0;
    await pipeline(
      chunked(input, sizes),
      dec,
      new Writable({
        write(c: Buffer, _e, cb) {
          h.update(c);
          bytes += c.length;
          cb();
        },
      }),
    );
    return { sha: h.digest('hex'), bytes, stats: dec.stats };
  }

  it('threshold is 8 MiB, within what fzstd decodes correctly', () => {
    assert.equal(HYBRID_FZSTD_MAX_WINDOW, 8 * MiB);
    assert.ok(HYBRID_FZSTD_MAX_WINDOW <= FZSTD_MAX_WINDOW);
  });

  it('small-window frames go to fzstd, no process is started', async (t) => {
    if (skip(t)) return;
    const r = await decodeHybrid(multi());
    assert.equal(r.sha, sha256(Buffer.concat(multiParts())));
    assert.deepEqual(r.stats, { fzstdFrames: 4, binaryFrames: 0, processes: 0 });
    // exactly 8 MiB window (--long=23): still fzstd
    const w8 = memo('w8', () => fx.compress(data, ['-3', '--long=23'], false));
    assert.match(fx.describe(w8), /Window Size: 8(\.0+)? MiB/);
    assert.deepEqual((await decodeHybrid(w8)).stats, { fzstdFrames: 1, binaryFrames: 0, processes: 0 });
  });

  it('a frame with a larger window goes to the zstd program', async (t) => {
    if (skip(t)) return;
    const w16 = memo('w16', () => fx.compress(data, ['-3', '--long=24'], false));
    for (const input of [w16, window256()]) {
      const r = await decodeHybrid(input);
      assert.equal(r.sha, sha256(data));
      assert.deepEqual(r.stats, { fzstdFrames: 0, binaryFrames: 1, processes: 1 });
    }
  });

  it('mixed windows in one object: each frame to its decoder, output in order', async (t) => {
    if (skip(t)) return;
    for (const sizes of [[256 * 1024], [4096, 100000, 7], [1 << 30]]) {
      const r = await decodeHybrid(mixedWindows(), 'mixed.zst', sizes);
      assert.equal(r.bytes, mixedWindowsData().length);
      assert.equal(r.sha, sha256(mixedWindowsData()));
      assert.deepEqual(r.stats, { fzstdFrames: 2, binaryFrames: 3, processes: 2 });
    }
  });

  it('corruption in either kind of frame, truncation, trailing garbage → IntegrityError naming the object', async (t) => {
    if (skip(t)) return;
    const m = mixedWindows();
    const [a, b] = mixedParts();
    const aLen = fx.compress(a!, ['-3']).length;
    const bLen = fx.compress(b!, ['-3', '--long=28'], false).length;
    const flipAt = (at: number): Buffer => {
      const c = Buffer.from(m);
      c[at] ^= 0x40;
      return c;
    };
    await assertIntegrityError('fzstd+binary', 'zstd', flipAt(aLen + (bLen >> 1)), 'cf/flip-large-window.zst');
    await assertIntegrityError('fzstd+binary', 'zstd', flipAt(aLen >> 1), 'cf/flip-small-window.zst');
    await assertIntegrityError('fzstd+binary', 'zstd', m.subarray(0, aLen + (bLen >> 1)), 'trunc-in-large.zst', /truncated/);
    await assertIntegrityError('fzstd+binary', 'zstd', m.subarray(0, m.length - 10), 'trunc-last.zst', /truncated/);
    await assertIntegrityError('fzstd+binary', 'zstd', Buffer.concat([m, Buffer.from('garbage!')]), 'garbage.zst', /trailing garbage/);
  });

  it('large-window frame: memory bounded with a slow consumer, child killed on abort', async (t) => {
    if (skip(t)) return;
    const compressed = bigLong();
    {
      const dec = new HybridZstdDecoder('big.zst', ZSTD!, await loadFzstdDeps());
      const { digest, maxBuffered } = await drainSlowly(compressed, dec);
      assert.equal(digest, sha256(bigLongData()));
      assert.equal(dec.stats.processes, 1);
      assert.ok(maxBuffered <= 4 * MiB, `decoder buffered ${maxBuffered} bytes`);
    }
    const dec = new HybridZstdDecoder('abort.zst', ZSTD!, await loadFzstdDeps());
    const ac = new AbortController();
    const src = new Readable({ read() {} });
    src.push(compressed.subarray(0, compressed.length >> 1));
    let child: import('node:child_process').ChildProcess | undefined;
    const done = pipeline(
      src,
      dec,
      new Writable({
        write(_c: Buffer, _e, cb) {
          child ??= dec.child;
          ac.abort();
          cb();
        },
      }),
      { signal: ac.signal },
    );
    await assert.rejects(done, { name: 'AbortError' });
    assert.ok(dec.destroyed);
    assert.ok(child);
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child!.once('exit', r));
    assert.equal(child.signalCode, 'SIGKILL');
  });
});

describe('zstd decoder selection', () => {
  it('auto: native when Node has it, else fzstd+binary (by window size) with the zstd program, else fzstd', async () => {
    const expected = HAS_NATIVE ? 'native' : ZSTD ? 'fzstd+binary' : 'fzstd';
    assert.equal(await withEnv({ [ENV]: undefined }, () => zstdDecoderKind()), expected);
    // Without zstd on PATH
    assert.equal(await withEnv({ [ENV]: undefined, PATH: '' }, () => zstdDecoderKind()), HAS_NATIVE ? 'native' : 'fzstd');
    if (!HAS_NATIVE && ZSTD) {
      assert.ok((await withEnv({ [ENV]: undefined }, () => createDecoder('zstd', { label: 'x.zst' }))) instanceof HybridZstdDecoder);
      assert.ok((await withEnv({ [ENV]: undefined, PATH: '' }, () => createDecoder('zstd', { label: 'x.zst' }))) instanceof FzstdDecoder);
    }
  });

  it('forced binary and fzstd use one decoder for every frame, whatever the window', async (t) => {
    if (!ZSTD) return t.skip('the zstd program is not on PATH');
    assert.ok((await withEnv({ [ENV]: 'binary' }, () => createDecoder('zstd', { label: 'x.zst' }))) instanceof BinaryZstdDecoder);
    assert.ok((await withEnv({ [ENV]: 'fzstd' }, () => createDecoder('zstd', { label: 'x.zst' }))) instanceof FzstdDecoder);
    await assertDecodes('binary', 'zstd', mixedWindows(), mixedWindowsData());
    await assert.rejects(decodeWith('fzstd', 'zstd', mixedWindows(), 'mixed.zst'), /zstd frame 2 uses a 256 MiB window/);
  });

  it('rejects an unknown ARCHIVE_ZSTD_DECODER', async () => {
    await assert.rejects(
      withEnv({ [ENV]: 'turbo' }, () => createDecoder('zstd', { label: 'x.zst' })),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.hint ?? '', /native, binary, fzstd/);
        return true;
      },
    );
  });

  it('fails when the forced binary is not on PATH', async () => {
    await assert.rejects(
      withEnv({ [ENV]: 'binary', PATH: '' }, () => createDecoder('zstd', { label: 'x.zst' })),
      (err: unknown) => {
        assert.ok(err instanceof ArchiveError);
        assert.match(err.message, /no zstd program is on PATH/);
        return true;
      },
    );
  });

  it('fails when native is forced on a Node without zstd', async (t) => {
    if (HAS_NATIVE) {
      t.skip(`Node ${process.versions.node} has native zstd`);
      return;
    }
    await assert.rejects(
      withEnv({ [ENV]: 'native' }, () => createDecoder('zstd', { label: 'x.zst' })),
      (err: unknown) => {
        assert.ok(err instanceof ArchiveError);
        assert.match(err.message, /has no built-in zstd/);
        assert.match(err.hint ?? '', /22\.15/);
        return true;
      },
    );
  });
});

describe('gzip', () => {
  const gz = (b: Uint8Array, level = 6): Buffer => zlib.gzipSync(b, { level });
  const parts = [data.subarray(0, MiB), data.subarray(MiB, MiB), data.subarray(MiB)];

  it('single member', async () => {
    await assertDecodes(undefined, 'gzip', gz(data), data, [100000, 3, 65536]);
  });

  it('concatenated members (as appended log files are)', async () => {
    await assertDecodes(undefined, 'gzip', Buffer.concat(parts.map((p, i) => gz(p, i * 4 + 1))), data);
  });

  it('zero padding after the last member is accepted', async () => {
    await assertDecodes(undefined, 'gzip', Buffer.concat([gz(data), Buffer.alloc(1000)]), data);
  });

  it('corrupt → IntegrityError naming the object', async () => {
    const g = gz(data);
    await assertIntegrityError(undefined, 'gzip', flipMiddle(g), 'cf/20240101/flip.log.gz');
    await assertIntegrityError(undefined, 'gzip', g.subarray(0, g.length >> 1), 'trunc.gz', /truncated/);
    await assertIntegrityError(undefined, 'gzip', g.subarray(0, g.length - 3), 'trunc-trailer.gz');
    await assertIntegrityError(undefined, 'gzip', Buffer.concat([g, Buffer.from('garbage')]), 'garbage.gz');
    await assertIntegrityError(undefined, 'gzip', Buffer.alloc(0), 'empty.gz');
    await assertIntegrityError(undefined, 'gzip', data.subarray(0, 1000), 'plain.gz');
  });

  it('a member hidden behind zero bytes is not silently dropped', async () => {
    // Node's gunzip stops at a zero byte after a member and ignores the rest.
    const g = Buffer.concat([gz(parts[0]!), Buffer.alloc(16), gz(parts[2]!)]);
    await assertIntegrityError(undefined, 'gzip', g, 'padded.gz', /after the last gzip member/);
  });
});
