/**
 * `cat` as a library call: objects from one or more locations, decoded, written to one stream in
 * time (or key) order. The next objects are fetched ahead in parallel into bounded buffers, so a
 * slow first byte never stalls the pipe and memory stays at (prefetch × buffer) whatever the sizes.
 */
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecoder } from './decompress/index.js';
import { listEntries, nothingUnder, prefixIsEmpty, type ListOptions, type ListTotals } from './listing.js';
import type { Entry } from './filter.js';
import type { StorageProvider } from './providers/types.js';
import { resilientRead, type RetryPolicy } from './providers/resilient-read.js';
import { ArchiveError, ArchivedError, NotFoundError } from './errors.js';
import { readable } from './providers/cold-state.js';
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
  /** Called once per failed object, in output order; `written` bytes of it reached `out` before it failed. */
  onError?: (key: string, err: ArchiveError, written: number) => void;
  /** Low-level read retries per object (default: pull's policy). */
  retry?: RetryPolicy;
  /** The first stored byte to read of an item (default 0): `cat --follow` reads only what a rewrite appended. */
  startAt?: (item: Item) => number;
  /** Sees each object's stored (undecoded) bytes as they are read, in order per object. */
  onStored?: (item: Item, chunk: Buffer) => void;
}

export interface CatResult {
  objects: number;
  bytes: number;
  failed: number;
  /** Objects the service refused as archived (a tier the listing did not show): not counted as failed. */
  archived: Item[];
}

export interface Item {
  entry: Entry;
  provider: StorageProvider;
  /** Index of the source (location) it was listed from. */
  source?: number;
}

function toArchiveError(err: unknown, key: string): ArchiveError {
  if (err instanceof ArchiveError) return err;
  return new ArchiveError(`${key}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** What a prefetch slot ended with, recorded the moment it happened, whoever is listening. */
type Outcome = { ok: true } | { ok: false; err: unknown };

/**
 * One object being fetched and decoded ahead of the writer. Its outcome is captured as a settled
 * promise when the slot starts, so a failure that happens before the writer reaches the slot
 * (a 404, a corrupt header, a reset past the retry budget) is still there when it looks: relying
 * on the buffer stream's 'error'/'close' events lost it, because they fire once, before anyone
 * listened, and the writer then waited forever on an empty, closed stream.
 */
interface Slot {
  stream: PassThrough;
  outcome: Promise<Outcome>;
}

/**
 * A slot's chunks as they were pushed, then its outcome. The stream's own async iterator calls
 * read() in paused mode, which concatenates everything buffered into one new Buffer: with
 * megabytes buffered ahead, that copy (and its garbage) cost more CPU than decoding.
 * Throws the slot's error if it failed, whether before or after this call began.
 */
async function* chunksOf(slot: Slot): AsyncGenerator<Buffer> {
  const r = slot.stream;
  const queue: Buffer[] = [];
  let ended = false;
  let settled: Outcome | undefined;
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
  void slot.outcome.then((o) => {
    settled = o;
    notify();
  });
  r.on('data', onData).once('end', onEnd);
  try {
    for (;;) {
      const c = queue.shift();
      if (c) {
        if (queue.length === 0 && r.isPaused()) r.resume();
        yield c;
        continue;
      }
      if (settled && !settled.ok) throw settled.err;
      // 'end' alone is not success: the pipeline may still report a failure (e.g. a checksum).
      if (ended && settled?.ok) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    r.off('data', onData).off('end', onEnd);
  }
}

/**
 * A read pinned to the listed ETag fails as "changed" when the object is gone; Azure (Azurite
 * measured) answers 412 ConditionNotMet, not 404, for a blob deleted after the listing. Ask once
 * more without the pin, so the user hears "not found" for a deleted object.
 */
async function explain(provider: StorageProvider, key: string, err: ArchiveError): Promise<ArchiveError> {
  if (err.status !== 412 && err.serviceCode !== 'ConditionNotMet' && err.serviceCode !== 'PreconditionFailed') return err;
  try {
    await provider.stat(key);
    return err;
  } catch (statErr) {
    return statErr instanceof NotFoundError ? statErr : err;
  }
}

/**
 * The objects to write, in output order. Only log/record objects unless --kind asks (ownership
 * challenges, markers, probes, dumps would break `| jq`); what was left out is counted in
 * `leftOut`. A location under which nothing exists at all is a NotFoundError (a typo in the
 * prefix), while filters that match none of the objects there give an empty list.
 */
export async function collect(
  sources: CatSource[],
  o: CatOptions,
  leftOut: Record<string, number> = {},
  archived?: Item[],
): Promise<Item[]> {
  const items: Item[] = [];
  for (const [source, s] of sources.entries()) {
    const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
    for await (const entry of listEntries(s.provider, s.prefix, { ...o, layout: o.layout ?? s.layout, take: 'records' }, totals)) {
      // `archived` given: archived objects are set aside, never read (the service would refuse them).
      if (archived && !readable(entry.cold)) archived.push({ entry, provider: s.provider, source });
      else items.push({ entry, provider: s.provider, source });
    }
    for (const [k, n] of Object.entries(totals.leftOut ?? {})) leftOut[k] = (leftOut[k] ?? 0) + n;
    if (!totals.count && (await prefixIsEmpty(s.provider, s.prefix))) throw nothingUnder(s.provider, s.prefix);
  }
  if (o.order === 'key') items.sort((a, b) => (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
  else
    items.sort(
      (a, b) => a.entry.time.getTime() - b.entry.time.getTime() || (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0),
    );
  return items;
}

/** The chunks of `source`, each shown to `see` first. */
async function* tapped(source: AsyncIterable<Buffer>, see?: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    see?.(chunk);
    yield chunk;
  }
}

export async function cat(items: Item[], out: NodeJS.WritableStream, o: CatOptions = {}): Promise<CatResult> {
  const ahead = Math.max(0, o.prefetch ?? 4);
  const bufferBytes = o.bufferBytes ?? 8 * 1024 * 1024;
  const started = new Map<number, Slot>();
  // Objects ahead are fetched AND decoded into bounded buffers, so decoding overlaps the output
  // of earlier objects and uses the second core instead of waiting in line.
  const start = (i: number) => {
    if (i >= items.length || started.has(i)) return;
    const { entry, provider } = items[i];
    const stream = new PassThrough({ highWaterMark: bufferBytes });
    const outcome = (async (): Promise<Outcome> => {
      try {
        // The content decides how to decode (its magic bytes), not the name: as pull -d and query.
        const decoder = await createDecoder(o.raw ? 'none' : 'auto', { label: entry.key });
        const source = Readable.from(
          tapped(
            resilientRead(provider, entry.key, {
              start: o.startAt?.(items[i]) ?? 0,
              end: entry.size - 1,
              etag: entry.etag,
              signal: o.signal,
              policy: o.retry,
            }),
            o.onStored && ((chunk) => o.onStored!(items[i], chunk)),
          ),
          { objectMode: false },
        );
        await pipeline(source, decoder, stream, { signal: o.signal });
        return { ok: true };
      } catch (err) {
        stream.destroy();
        return { ok: false, err };
      }
    })();
    started.set(i, { stream, outcome });
  };
  const result: CatResult = { objects: 0, bytes: 0, failed: 0, archived: [] };
  for (let i = 0; i < items.length; i++) {
    for (let j = i; j <= i + ahead; j++) start(j);
    const { entry } = items[i];
    const cur = started.get(i)!;
    started.delete(i);
    let written = 0;
    try {
      for await (const chunk of chunksOf(cur)) {
        o.signal?.throwIfAborted();
        await write(out, chunk);
        written += chunk.length;
      }
      result.objects++;
      result.bytes += written;
    } catch (err) {
      cur.stream.destroy();
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      if ((err as NodeJS.ErrnoException)?.code === 'EPIPE' || (out as { destroyed?: boolean }).destroyed) throw err;
      if (err instanceof ArchivedError && !written) {
        result.archived.push(items[i]);
        continue;
      }
      result.failed++;
      o.onError?.(entry.key, await explain(items[i].provider, entry.key, toArchiveError(err, entry.key)), written);
    }
  }
  for (const s of started.values()) s.stream.destroy();
  return result;
}
