/**
 * `cat` as a library call: objects from one or more locations, decoded, written to one stream in
 * time (or key) order. The next objects are fetched ahead in parallel into bounded buffers, so a
 * slow first byte never stalls the pipe and memory stays at (prefetch × buffer) whatever the sizes.
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecoder, codecFor } from './decompress/index.js';
import { listEntries, type ListOptions } from './listing.js';
import type { Entry } from './filter.js';
import type { StorageProvider } from './providers/types.js';
import { resilientRead } from './pull/retry.js';
import { ArchiveError } from './errors.js';
import { write } from './output/writer.js';

export interface CatSource {
  provider: StorageProvider;
  prefix: string;
  layout?: string;
}

export interface CatOptions extends ListOptions {
  order?: 'time' | 'key';
  /** Objects fetched ahead of the one being written. */
  prefetch?: number;
  /** Bytes buffered per prefetched object. */
  bufferBytes?: number;
  raw?: boolean;
  signal?: AbortSignal;
  onError?: (key: string, err: ArchiveError) => void;
}

export interface CatResult {
  objects: number;
  bytes: number;
  failed: number;
}

interface Item {
  entry: Entry;
  provider: StorageProvider;
}

function toArchiveError(err: unknown, key: string): ArchiveError {
  if (err instanceof ArchiveError) return err;
  return new ArchiveError(`${key}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/**
 * A readable's chunks as they were pushed. Its own async iterator calls read() in paused mode,
 * which concatenates everything buffered into one new Buffer: with megabytes buffered ahead,
 * that copy (and its garbage) cost more CPU than decoding.
 */
async function* chunksOf(r: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (c: Buffer) => {
    queue.push(c);
    if (queue.length >= 16) r.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (e: unknown) => {
    failure = e;
    notify();
  };
  r.on('data', onData).once('end', onEnd).once('error', onError).once('close', onEnd);
  try {
    for (;;) {
      const c = queue.shift();
      if (c) {
        if (queue.length === 0 && r.isPaused()) r.resume();
        yield c;
        continue;
      }
      if (failure) throw failure;
      if (ended) {
        if (r.errored) throw r.errored;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    r.off('data', onData).off('end', onEnd).off('error', onError).off('close', onEnd);
  }
}

export async function collect(sources: CatSource[], o: CatOptions): Promise<Item[]> {
  const items: Item[] = [];
  for (const s of sources) {
    for await (const entry of listEntries(s.provider, s.prefix, { ...o, layout: o.layout ?? s.layout })) items.push({ entry, provider: s.provider });
  }
  if (o.order === 'key') items.sort((a, b) => (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
  else items.sort((a, b) => a.entry.time.getTime() - b.entry.time.getTime() || (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
  return items;
}

export async function cat(items: Item[], out: Writable, o: CatOptions = {}): Promise<CatResult> {
  const ahead = Math.max(1, o.prefetch ?? 4);
  const bufferBytes = o.bufferBytes ?? 8 * 1024 * 1024;
  const started = new Map<number, { stream: PassThrough; done: Promise<void> }>();
  // Objects ahead are fetched AND decoded into bounded buffers, so decoding overlaps the output
  // of earlier objects and uses the second core instead of waiting in line.
  const start = (i: number) => {
    if (i >= items.length || started.has(i)) return;
    const { entry, provider } = items[i];
    const stream = new PassThrough({ highWaterMark: bufferBytes });
    const done = (async () => {
      const decoder = await createDecoder(o.raw ? 'none' : codecFor(entry.key), { label: entry.key });
      const source = Readable.from(resilientRead(provider, entry.key, { start: 0, end: entry.size - 1, etag: entry.etag, signal: o.signal }), { objectMode: false });
      await pipeline(source, decoder, stream, { signal: o.signal });
    })();
    done.catch((err) => stream.destroy(err as Error)); // surfaced when the item is written
    started.set(i, { stream, done });
  };
  const result: CatResult = { objects: 0, bytes: 0, failed: 0 };
  for (let i = 0; i < items.length; i++) {
    for (let j = i; j <= i + ahead; j++) start(j);
    const { entry } = items[i];
    const cur = started.get(i)!;
    started.delete(i);
    let written = 0;
    try {
      for await (const chunk of chunksOf(cur.stream)) {
        o.signal?.throwIfAborted();
        await write(out, chunk);
        written += chunk.length;
      }
      await cur.done;
      result.objects++;
      result.bytes += written;
    } catch (err) {
      cur.stream.destroy();
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      if ((err as NodeJS.ErrnoException)?.code === 'EPIPE' || (out as { destroyed?: boolean }).destroyed) throw err;
      result.failed++;
      o.onError?.(entry.key, toArchiveError(await cur.done.then(() => err, (e: unknown) => e), entry.key));
    }
  }
  for (const s of started.values()) s.stream.destroy();
  return result;
}
