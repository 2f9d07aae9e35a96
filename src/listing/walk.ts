/**
 * The pruned listing: walks the location one folder level at a time (delimiter listings), asks the
 * planner (plan.ts) what to do with each folder, and yields every object it reads in the order a
 * flat listing would (the service's lexicographic key order).
 *
 * Order: a delimiter page holds the direct objects and the folders of one key range, each sorted.
 * Every key under folder `a/` sorts between `a/` and any sibling that follows `a/`, so merging the
 * two lists by key and expanding each folder in place reproduces the flat order exactly.
 *
 * Speed: the first page of the next few folders of a level is fetched while the current one is
 * read (LOOKAHEAD), so a walk over many small folders is not one round trip at a time. At most
 * LOOKAHEAD first pages are in flight per level of the folder being read, and nothing deeper is
 * started until its folder's turn comes, so requests and memory stay bounded.
 */
import type { LevelPage, ObjectInfo, StorageProvider } from '../providers/types.js';
import { decideFolder, decideRoot, type FolderDecision, type PlanWindow } from './plan.js';
import { decideRollup, decideSwitch } from './plan-names.js';

const LOOKAHEAD = 8;

export interface PlanEvent {
  folder: string;
  decision: FolderDecision;
}

export interface WalkOptions {
  window: PlanWindow;
  /** Called for each folder decision, in key order within a level (for --explain). */
  onPlan?: (e: PlanEvent) => void;
}

/**
 * Compares keys the way the services order them: S3 and Azure sort by UTF-8 bytes; for ASCII that
 * is plain code-unit order, which is also the fast path.
 */
export function compareKeys(a: string, b: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(a) && /^[\x00-\x7f]*$/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const noop = () => undefined;

/** A child listing whose first request is already under way. */
interface Started {
  drain(): AsyncGenerator<ObjectInfo>;
  close(): Promise<void>;
}

function startFlat(provider: StorageProvider, folder: string): Started {
  const it = provider.listObjects(folder)[Symbol.asyncIterator]();
  const first = it.next();
  first.catch(noop);
  return {
    async *drain() {
      for (let r = await first; !r.done; r = await it.next()) yield r.value;
    },
    close: async () => {
      await it.return?.();
    },
  };
}

/** 'days': the listed prefixes one after another, all of them requested at once (at most three). */
function startDays(provider: StorageProvider, prefixes: readonly string[]): Started {
  const all = prefixes.map((p) => startFlat(provider, p));
  return {
    async *drain() {
      for (const s of all) yield* s.drain();
    },
    close: async () => {
      await Promise.all(all.map((s) => s.close().catch(noop)));
    },
  };
}

function startChild(provider: StorageProvider, folder: string, d: FolderDecision, opts: WalkOptions): Started {
  if (d.action === 'flat') return startFlat(provider, folder);
  if (d.action === 'days') return startDays(provider, d.prefixes!);
  return startWalk(provider, folder, d, opts);
}

function startWalk(provider: StorageProvider, folder: string, d: FolderDecision, opts: WalkOptions, after?: string): Started {
  const pages = provider.listLevel!(folder, d.delimiter ?? '/')[Symbol.asyncIterator]();
  const first = pages.next();
  first.catch(noop);
  return {
    drain: () => walkPages(provider, folder, d, pages, first, opts, after),
    close: async () => {
      await pages.return?.();
    },
  };
}

/**
 * Whether every key below `prefix` sorts at or before `after` (so a walk resumed after `after`
 * need not list it): true when prefix < after and after does not begin with prefix.
 */
function allBefore(prefix: string, after: string | undefined): boolean {
  return after !== undefined && compareKeys(prefix, after) < 0 && !after.startsWith(prefix);
}

/**
 * The walk of one listing of `folder`, page by page. With `after`, a walk that resumes one already
 * under way by another delimiter (decideSwitch): keys at or before it were given already and are
 * dropped, prefixes wholly before it are not listed.
 */
async function* walkPages(
  provider: StorageProvider,
  folder: string,
  d: FolderDecision,
  pages: AsyncIterator<LevelPage>,
  first: Promise<IteratorResult<LevelPage>>,
  opts: WalkOptions,
  after?: string,
): AsyncGenerator<ObjectInfo> {
  let last = after;
  const fresh = (key: string) => after === undefined || compareKeys(key, after) > 0;
  try {
    for (let r = await first; !r.done; r = await pages.next()) {
      const { objects, prefixes } = r.value;
      const live: Array<{ folder: string; d: FolderDecision }> = [];
      const delimiter = d.delimiter ?? '/';
      for (const folder of prefixes) {
        if (allBefore(folder, after)) continue;
        // A service that answers a delimiter listing with a prefix not ending in it would make the
        // merge below read keys twice or not at all: refuse rather than guess.
        if (!folder.endsWith(delimiter))
          throw new Error(`listing by '${delimiter}' returned the prefix "${folder}", which does not end in it`);
        const kid = delimiter === '/' ? decideFolder(folder, opts.window, d.bound, d.plainDepth) : decideRollup(folder, opts.window, d);
        opts.onPlan?.({ folder, decision: kid });
        if (kid.action !== 'skip') live.push({ folder, d: kid });
      }
      const started: Array<Started | undefined> = [];
      let next = 0;
      const startUpTo = (i: number) => {
        for (; next < live.length && next < i + LOOKAHEAD; next++) {
          const k = live[next];
          started[next] = startChild(provider, k.folder, k.d, opts);
        }
      };
      startUpTo(0);
      let oi = 0;
      let ki = 0;
      try {
        while (oi < objects.length || ki < live.length) {
          if (ki >= live.length || (oi < objects.length && compareKeys(objects[oi].key, live[ki].folder) < 0)) {
            const o = objects[oi++];
            if (!fresh(o.key)) continue;
            last = o.key;
            yield o;
            continue;
          }
          startUpTo(ki);
          for await (const o of started[ki]!.drain()) {
            if (!fresh(o.key)) continue;
            last = o.key;
            yield o;
          }
          started[ki] = undefined;
          ki++;
        }
      } finally {
        // Ended early (consumer stopped, or an error): stop the listings already under way.
        await Promise.all(started.map((s) => s?.close().catch(noop)));
      }
      const instead = decideSwitch(d, opts.window, r.value);
      if (instead) {
        await pages.return?.();
        opts.onPlan?.({ folder, decision: instead });
        yield* startWalk(provider, folder, instead, opts, last).drain();
        return;
      }
    }
  } finally {
    await pages.return?.();
  }
}

/**
 * Every object under `prefix` that the window can still match, in flat-listing order. Without a
 * window, or on a provider without delimiter listings, this is exactly provider.listObjects.
 */
export async function* prunedObjects(provider: StorageProvider, prefix: string, opts: WalkOptions): AsyncGenerator<ObjectInfo> {
  const root = decideRoot(prefix, opts.window);
  opts.onPlan?.({ folder: prefix, decision: root });
  if (root.action === 'skip') return;
  if (root.action === 'flat' || !provider.listLevel) {
    yield* provider.listObjects(prefix);
    return;
  }
  yield* startChild(provider, prefix, root, opts).drain();
}
