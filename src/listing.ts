/**
 * A provider listing turned into filtered, layout-annotated entries. Streams: one page of keys in
 * memory at a time, whatever the size of the archive.
 */
import { parseKey, getLayout } from './layouts/index.js';
import { buildFilter, timeWindow, type Entry, type FilterOptions } from './filter.js';
import type { StorageProvider } from './providers/types.js';
import { prunedObjects, type PlanEvent } from './listing/walk.js';

export type { PlanEvent } from './listing/walk.js';

export interface ListOptions extends FilterOptions {
  /** Layout name or 'auto'. */
  layout?: string;
  /**
   * Yield folder markers (as kind 'folder') instead of dropping them. Only `list` asks: data
   * commands must never open a folder as a file.
   */
  folders?: boolean;
  /**
   * false: read every key under the prefix (a full scan) instead of letting the time window prune
   * folders (commander's `--no-prune` sets it). The answer is the same either way.
   */
  prune?: boolean;
  /** Each folder decision of the pruning planner, for --explain/--verbose. */
  onPlan?: (e: PlanEvent) => void;
}

export interface ListTotals {
  count: number;
  bytes: number;
  /** Objects the service returned (before filtering). */
  scanned: number;
  /** LIST requests (pages) this listing made, when the provider counts them. */
  requests?: number;
}

/**
 * Filtered entries under the prefix, in the service's key order. With a time window the listing is
 * pruned (listing/walk.ts) unless `opts.prune === false`; both give exactly the same entries.
 */
export async function* listEntries(provider: StorageProvider, prefix: string, opts: ListOptions, totals?: ListTotals): AsyncIterable<Entry> {
  const layout = opts.layout ?? 'auto';
  if (layout !== 'auto') getLayout(layout); // a typo must fail before the first request
  const now = new Date();
  const keep = buildFilter(opts, now);
  const w = timeWindow(opts, now);
  const window = { since: w.since?.getTime(), until: w.until?.getTime() };
  const requestsBefore = provider.listRequests ?? 0;
  const source = opts.prune === false ? provider.listObjects(prefix) : prunedObjects(provider, prefix, { window, onPlan: opts.onPlan });
  try {
    for await (const o of source) {
      if (totals) totals.scanned++;
      if (o.isFolder && !opts.folders) continue;
      const facts = o.isFolder ? { layout: 'generic', kind: 'folder' } : (parseKey(o.key, layout) ?? { layout: 'generic' });
      const fromKey = facts.time !== undefined;
      const entry: Entry = {
        ...o,
        facts,
        time: facts.time ?? o.lastModified,
        timeEnd: fromKey ? facts.timeEnd : undefined,
        timeSource: fromKey ? 'key' : 'modified',
      };
      const rel = prefix && o.key.startsWith(prefix) ? o.key.slice(prefix.length).replace(/^\/+/, '') : o.key;
      if (!keep(entry, rel)) continue;
      if (totals) {
        totals.count++;
        totals.bytes += o.size;
      }
      yield entry;
    }
  } finally {
    if (totals && provider.listRequests !== undefined) totals.requests = provider.listRequests - requestsBefore;
  }
}

export function entryToJson(e: Entry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    key: e.key,
    size: e.size,
    lastModified: e.lastModified.toISOString(),
    time: e.time.toISOString(),
    timeSource: e.timeSource,
  };
  if (e.timeEnd) out.timeEnd = e.timeEnd.toISOString();
  if (e.etag) out.etag = e.etag;
  if (e.contentMd5) out.contentMd5 = e.contentMd5;
  out.layout = e.facts.layout;
  if (e.facts.kind) out.kind = e.facts.kind;
  if (e.isFolder) out.folder = true;
  if (e.facts.host) out.host = e.facts.host;
  if (e.facts.partition) out.partition = e.facts.partition;
  if (e.facts.fields && Object.keys(e.facts.fields).length) out.fields = e.facts.fields;
  return out;
}
