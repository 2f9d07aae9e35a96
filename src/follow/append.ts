/**
 * An object rewritten in place (Vespa re-uploads the live `vespa.log` and `zookeeper.log` every
 * hour, each time longer): when the new version extends the one already printed, only the bytes
 * after the old end are read and printed (a ranged read from the old size); otherwise the whole new
 * version is. "Extends" is verified, never assumed: the last TAIL_BYTES stored bytes before the old
 * end are read again, pinned to the new version's ETag, and must equal what was printed; for a
 * compressed object the appended part must also begin a new frame (a zstd frame, a gzip member),
 * since only then does it decode on its own.
 */
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { resilientRead, type RetryPolicy } from '../providers/resilient-read.js';
import { codecFor, type Codec } from '../decompress/index.js';
import type { Seen } from './tracker.js';

/** Stored bytes kept from the end of each printed object, to verify a later append. */
export const TAIL_BYTES = 4096;
/** Stored bytes kept from the start (enough for any frame magic). */
export const HEAD_BYTES = 4;

export type AppendPlan = { from: number } | { whole: string };

/** `tail` followed by `chunk`, cut to its last TAIL_BYTES bytes. */
export function keepTail(tail: Buffer | undefined, chunk: Buffer): Buffer {
  if (chunk.length >= TAIL_BYTES) return Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
  const both = tail ? Buffer.concat([tail, chunk]) : chunk;
  return Buffer.from(both.subarray(Math.max(0, both.length - TAIL_BYTES)));
}

/** `head` completed with `chunk` up to HEAD_BYTES. */
export function keepHead(head: Buffer | undefined, chunk: Buffer): Buffer {
  const have = head ?? Buffer.alloc(0);
  if (have.length >= HEAD_BYTES) return have;
  return Buffer.concat([have, chunk.subarray(0, HEAD_BYTES - have.length)]);
}

/** The codec of an object: from its first bytes when they were read, else from its name. */
export function codecOf(key: string, head: Buffer | undefined): Codec {
  if (head && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head && head.length >= 4) {
    const magic = head.readUInt32LE(0);
    // A zstd frame, or a skippable frame (0x184D2A5?), as seekable-format files begin.
    if (magic === 0xfd2fb528 || (magic & 0xfffffff0) >>> 0 === 0x184d2a50) return 'zstd';
    return 'none';
  }
  return codecFor(key);
}

/** Whether `bytes` begin a new unit of `codec` that decodes on its own. */
export function beginsFrame(codec: Codec, bytes: Buffer): boolean {
  if (codec === 'none') return true;
  return codecOf('', bytes) === codec;
}

async function readRange(
  provider: StorageProvider,
  e: Entry,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
  policy?: RetryPolicy,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of resilientRead(provider, e.key, { start, end, etag: e.etag, signal, policy })) parts.push(c);
  return Buffer.concat(parts);
}

/**
 * How to print the new version `e` of an object whose earlier version is `prev`: from the old end
 * (`from`) when it verifiably extends it, else whole (`whole`: why, for the note on stderr).
 * Read errors propagate (a 412 when the object changed again meanwhile: the next poll retries).
 */
export async function planAppend(
  provider: StorageProvider,
  e: Entry,
  prev: Seen,
  o: { signal?: AbortSignal; retry?: RetryPolicy; raw?: boolean } = {},
): Promise<AppendPlan> {
  if (!prev.tail) return { whole: 'its earlier version was not read' };
  if (e.size <= prev.size) return { whole: `it is not longer than before (${e.size} bytes, was ${prev.size})` };
  const n = prev.tail.length;
  if (n < Math.min(prev.size, TAIL_BYTES)) return { whole: 'too little of its earlier version was kept to compare' };
  const codec = o.raw ? 'none' : codecOf(e.key, prev.head);
  const end = Math.min(e.size - 1, prev.size + HEAD_BYTES - 1);
  const got = await readRange(provider, e, prev.size - n, end, o.signal, o.retry);
  if (!got.subarray(0, n).equals(prev.tail)) return { whole: `its ${n} bytes before the old end (${prev.size}) changed` };
  if (!beginsFrame(codec, got.subarray(n)))
    return { whole: `the appended bytes do not begin a new ${codec === 'zstd' ? 'zstd frame' : 'gzip member'}` };
  return { from: prev.size };
}

/** The first and last stored bytes of `e`, read for an object that was not printed (to verify a later append). */
export async function readEnds(
  provider: StorageProvider,
  e: Entry,
  o: { signal?: AbortSignal; retry?: RetryPolicy } = {},
): Promise<{ head: Buffer; tail: Buffer }> {
  if (e.size === 0) return { head: Buffer.alloc(0), tail: Buffer.alloc(0) };
  const start = Math.max(0, e.size - TAIL_BYTES);
  const tail = await readRange(provider, e, start, e.size - 1, o.signal, o.retry);
  const head = start === 0 ? tail : await readRange(provider, e, 0, Math.min(e.size, HEAD_BYTES) - 1, o.signal, o.retry);
  return { head: Buffer.from(head.subarray(0, HEAD_BYTES)), tail };
}
