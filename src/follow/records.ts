/**
 * `cat --follow`'s printer: each poll's new objects written to stdout through cat (src/cat.ts:
 * decoded, prefetched, in time order), each once. A rewritten object is planned by append.ts: its
 * appended tail (a ranged read from the old size) or its whole new version, with a note on stderr.
 *
 * While an object is written its stored bytes pass by (cat's onStored): the first and last few are
 * kept in the tracker, so the next rewrite of it can be verified. Objects the first listing found
 * before --since whose time is their last-modified (the live `vespa.log`, which is rewritten in
 * place) have their ends read once, so a rewrite of them prints only what it appended too.
 */
import { cat } from '../cat.js';
import { ArchiveError, ExitCode, NotFoundError } from '../errors.js';
import type { RetryPolicy } from '../providers/resilient-read.js';
import { keepHead, keepTail, planAppend, readEnds } from './append.js';
import { isRetryable, type Batch, type FollowSource } from './poll.js';
import type { Change, Tracker } from './tracker.js';

export interface RecordPrinterOptions {
  out: NodeJS.WritableStream;
  order?: 'time' | 'key';
  prefetch?: number;
  retry?: RetryPolicy;
  raw?: boolean;
  signal: AbortSignal;
  /** A line for stderr about an object (rewrites, retries, giving up); `key` is raw, the caller escapes. */
  note(key: string, text: string): void;
  /** A failed read, as cat reports it. */
  error(key: string, err: ArchiveError, written: number): void;
}

/** One object for cat, and where its read starts (0, or the old size of a rewritten one). */
type Item = Parameters<typeof cat>[0][number];

interface Printing {
  from: number;
  change: Change<FollowSource>;
  head?: Buffer;
  tail?: Buffer;
  failed?: ArchiveError;
}

/** Items with no key twice, in order: cat reports a failure by key. */
function segments(items: Item[]): Item[][] {
  const out: Item[][] = [];
  let keys = new Set<string>();
  for (const it of items) {
    if (!out.length || keys.has(it.entry.key)) {
      out.push([]);
      keys = new Set();
    }
    out[out.length - 1].push(it);
    keys.add(it.entry.key);
  }
  return out;
}

function changedMeanwhile(err: ArchiveError): boolean {
  return err.status === 412 || err.serviceCode === 'ConditionNotMet' || err.serviceCode === 'PreconditionFailed';
}

function asArchiveError(err: unknown, key: string): ArchiveError {
  return err instanceof ArchiveError ? err : new ArchiveError(`${key}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** An error no later poll can cure for this run: a refused credential (an expired SAS). */
function fatal(err: ArchiveError): boolean {
  return err.exitCode === ExitCode.AUTH;
}

export function recordPrinter(tracker: Tracker, o: RecordPrinterOptions): (b: Batch<FollowSource>) => Promise<void> {
  const readOpts = { signal: o.signal, retry: o.retry };

  /** A change that could not be printed: said so, and tried again at the next poll unless given up. */
  const failed = (p: Printing, err: ArchiveError) => {
    const key = p.change.entry.key;
    if (changedMeanwhile(err)) {
      o.note(key, 'changed while it was read; its new version is read at the next poll');
      return;
    }
    if (err instanceof NotFoundError) o.note(key, 'was deleted before it could be read');
    if (tracker.failed(p.change)) o.note(key, 'not read: gave up after 3 attempts');
    else if (!(err instanceof NotFoundError)) o.note(key, 'is read again at the next poll');
  };

  return async (batch) => {
    let stop: ArchiveError | undefined;
    for (const q of batch.quiet) {
      if (q.entry.timeSource !== 'modified') continue;
      try {
        tracker.remember(q.at, q.entry, await readEnds(q.source.provider, q.entry, readOpts));
      } catch (err) {
        o.signal.throwIfAborted();
        const e = asArchiveError(err, q.entry.key);
        if (fatal(e)) throw e;
        // Without its ends a later rewrite is printed whole; nothing else is lost.
        if (!isRetryable(e) && !(e instanceof NotFoundError) && !changedMeanwhile(e)) throw e;
      }
    }
    const printing = new Map<Item, Printing>();
    const items: Item[] = [];
    for (const change of batch.changes) {
      const { entry, previous } = change;
      const p: Printing = { change, from: 0 };
      if (change.kind === 'rewritten' && previous) {
        try {
          const plan = await planAppend(change.source.provider, entry, previous, { ...readOpts, raw: o.raw });
          if ('from' in plan) {
            p.from = plan.from;
            p.head = previous.head;
            p.tail = previous.tail;
            o.note(entry.key, `was rewritten in place: printing the ${entry.size - p.from} bytes appended after byte ${p.from}`);
          } else o.note(entry.key, `was rewritten in place: printing its new version whole (${plan.whole})`);
        } catch (err) {
          o.signal.throwIfAborted();
          const e = asArchiveError(err, entry.key);
          if (fatal(e)) throw e;
          o.error(entry.key, e, 0);
          failed(p, e);
          continue;
        }
      }
      const item: Item = { entry, provider: change.source.provider };
      printing.set(item, p);
      items.push(item);
    }
    if (o.order === 'key') items.sort((a, b) => (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
    for (const part of segments(items)) {
      const byKey = new Map(part.map((it) => [it.entry.key, printing.get(it)!]));
      await cat(part, o.out, {
        prefetch: o.prefetch,
        retry: o.retry,
        raw: o.raw,
        signal: o.signal,
        startAt: (item) => printing.get(item)!.from,
        onStored: (item, chunk) => {
          const p = printing.get(item)!;
          if (!p.from) p.head = keepHead(p.head, chunk);
          p.tail = keepTail(p.tail, chunk);
        },
        onError: (key, err, written) => {
          const p = byKey.get(key)!;
          p.failed = err;
          if (fatal(err)) stop ??= err;
          else if (!changedMeanwhile(err)) o.error(key, err, written);
        },
      });
      for (const it of part) {
        const p = printing.get(it)!;
        if (p.failed) {
          if (!fatal(p.failed)) failed(p, p.failed);
        } else tracker.shown(p.change, { head: p.head, tail: p.tail ?? Buffer.alloc(0) });
      }
      if (stop) throw stop;
    }
  };
}
