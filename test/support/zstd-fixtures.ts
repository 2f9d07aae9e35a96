/**
 * Generated fixtures for the decompression tests: log-like data from a seeded PRNG, compressed
 * by the real `zstd` program (found on PATH) or by zlib, so no binary fixture is checked in.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MiB = 1024 * 1024;

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Path of a `zstd` program on PATH, or undefined. */
export function zstdProgram(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, 'zstd');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Deterministic, compressible, log-like text of exactly `bytes` bytes (JSON lines). */
/** Small deterministic PRNG (xorshift32) in [0, 1): generated fixtures look the same on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function logData(bytes: number, seed = 1): Buffer {
  const rnd = prng(seed);
  const paths = ['/api/v1/users/', '/search/?q=', '/document/v1/ns/doc/docid/', '/status.html', '/metrics'];
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const line =
      `{"ts":${1700000000000 + i++ * 37},"host":"node-${(rnd() * 64) | 0}","req":"${((rnd() * 2 ** 32) >>> 0).toString(16)}` +
      `${((rnd() * 2 ** 32) >>> 0).toString(16)}","path":"${paths[(rnd() * 5) | 0]}${(rnd() * 1e7) | 0}",` +
      `"status":${[200, 200, 200, 404, 500][(rnd() * 5) | 0]},"ms":${(rnd() * 2000).toFixed(2)}}\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join('').slice(0, bytes));
}

/**
 * Data whose matches reach back `distance` bytes: `head` random bytes, filler, then the same
 * random bytes again. Compressed with --long, the repeat becomes matches at offset ~distance.
 */
export function farMatchData(distance: number, head = 4 * MiB): Buffer {
  const r = randomBytes(head);
  const fillerBlock = logData(MiB, 99);
  const fillerLen = distance - head;
  const filler = Buffer.allocUnsafe(fillerLen);
  for (let at = 0; at < fillerLen; at += fillerBlock.length) fillerBlock.copy(filler, at, 0, Math.min(fillerBlock.length, fillerLen - at));
  return Buffer.concat([r, filler, r]);
}

/** Skippable frame (magic 0x184D2A5?) carrying `payload`. */
export function skippableFrame(payload: Uint8Array, nibble = 0): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(0x184d2a50 + nibble, 0);
  h.writeUInt32LE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

export class ZstdFixtures {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'archive-decompress-'));
  private n = 0;

  constructor(readonly zstd: string) {}

  /**
   * Compresses with the zstd program. `viaFile` (default) compresses a file, so the frame header
   * carries the content size; otherwise data goes through stdin (no content size; the window
   * descriptor is what --long/-W say).
   */
  compress(data: Uint8Array, args: string[] = [], viaFile = true): Buffer {
    const common = ['-q', '-c', '--no-progress', ...args];
    if (viaFile) {
      const f = this.file('in', data);
      return this.run([...common, f]);
    }
    return this.run(common, data);
  }

  /** Writes bytes to a fresh temp file and returns its path. */
  file(prefix: string, data: Uint8Array): string {
    const p = path.join(this.dir, `${prefix}-${this.n++}`);
    writeFileSync(p, data);
    return p;
  }

  /** zstd -lv output (frame facts) for a compressed buffer. */
  describe(compressed: Uint8Array): string {
    const f = this.file('zst', compressed);
    const r = spawnSync(this.zstd, ['-lv', f], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(args: string[], input?: Uint8Array): Buffer {
    const r = spawnSync(this.zstd, args, { input, maxBuffer: 1024 * MiB });
    if (r.status !== 0) throw new Error(`zstd ${args.join(' ')} failed: ${r.stderr?.toString()}`);
    return r.stdout;
  }
}
