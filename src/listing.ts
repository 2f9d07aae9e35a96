/**
 * A provider listing turned into filtered, layout-annotated entries. Streams: one page of keys in
 * memory at a time, whatever the size of the archive.
 */
import { parseKey, getLayout } from './layouts/index.js';
import { buildFilter, scopeFilters, timeWindow, type Entry, type FilterOptions } from './filter.js';
import type { StorageProvider } from './providers/types.js';
import { NotFoundError } from './errors.js';
import { prunedObjects, type PlanEvent } from './listing/walk.js';
import { kindClass, type KindClass } from './layouts/kinds.js';
import { coldState } from './providers/cold-state.js';

export type { PlanEvent } from './listing/walk.js';

/** `archive validate` writes its probes under `.archive-validate/` (whatever the layout says). */
export function isProbeKey(key: string): boolean {
  return key.startsWith('.archive-validate/') || key.includes('/.archive-validate/');
}

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
  /**
   * What a data command takes when no --kind is given (layouts/kinds.ts): 'records' (cat, query)
   * leaves out binary and meta objects, 'data' (pull) only meta objects; an exact key (the
   * location is the object itself) is always taken. What is left out is counted in totals.leftOut.
   */
  take?: 'records' | 'data';
  /** The clock relative times (`--since 2h`) count from: the run's io.now(). */
  now?: Date;
}

export interface ListTotals {
  count: number;
  bytes: number;
  /** Objects the service returned (before filtering). */
  scanned: number;
  /** Objects a data command left out by kind (see ListOptions.take), per kind. */
  leftOut?: Record<string, number>;
  /** LIST requests (pages) this listing made, when the provider counts them. */
  requests?: number;
}

/**
 * Filtered entries under the prefix, in the service's key order. With a time window the listing is
 * pruned (listing/walk.ts) unless `opts.prune === false`; both give exactly the same entries.
 */
export async function* listEntries(
  provider: StorageProvider,
  prefix: string,
  opts: ListOptions,
  totals?: ListTotals,
): AsyncIterable<Entry> {
  const layout = opts.layout ?? 'auto';
  if (layout !== 'auto') getLayout(layout); // a typo must fail before the first request
  const now = opts.now ?? new Date();
  const keep = buildFilter(opts, now);
  const w = timeWindow(opts, now);
  const { kinds, hostMatch } = scopeFilters(opts);
  const window = { since: w.since?.getTime(), until: w.until?.getTime(), scope: { layout, kinds, hostMatch }, now: now.getTime() };
  const requestsBefore = provider.listRequests ?? 0;
  const takeKinds =
    opts.take && !(opts.kind ?? []).length ? new Set<KindClass>(opts.take === 'records' ? ['record'] : ['record', 'binary']) : undefined;
  const source = opts.prune === false ? provider.listObjects(prefix) : prunedObjects(provider, prefix, { window, onPlan: opts.onPlan });
  try {
    for await (const o of source) {
      if (totals) totals.scanned++;
      if (o.isFolder && !opts.folders) continue;
      let facts = o.isFolder ? { layout: 'generic', kind: 'folder' } : (parseKey(o.key, layout) ?? { layout: 'generic' });
      if (isProbeKey(o.key)) facts = { ...facts, kind: 'probe' };
      const fromKey = facts.time !== undefined;
      const entry: Entry = {
        ...o,
        facts,
        time: facts.time ?? o.lastModified,
        timeEnd: fromKey ? facts.timeEnd : undefined,
        timeSource: fromKey ? 'key' : 'modified',
      };
      const cold = o.tier === undefined && !o.restore ? 'online' : coldState(o, provider.kind);
      if (cold !== 'online') entry.cold = cold;
      const rel = prefix && o.key.startsWith(prefix) ? o.key.slice(prefix.length).replace(/^\/+/, '') : o.key;
      if (!keep(entry, rel)) continue;
      if (takeKinds && rel !== '' && !takeKinds.has(kindClass(facts.kind))) {
        if (totals) (totals.leftOut ??= {})[facts.kind ?? 'other'] = (totals.leftOut[facts.kind ?? 'other'] ?? 0) + 1;
        continue;
      }
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
  if (e.tier) out.tier = e.tier;
  if (e.cold) out.cold = e.cold;
  if (e.restore) {
    const r: Record<string, unknown> = { state: e.restore.state };
    if (e.restore.status) r.status = e.restore.status;
    if (e.restore.priority) r.priority = e.restore.priority;
    if (e.restore.expiry) r.expiry = e.restore.expiry.toISOString();
    out.restore = r;
  }
  return out;
}

/** True when not one object (folder markers aside) exists under the prefix: one short listing. */
export async function prefixIsEmpty(provider: StorageProvider, prefix: string): Promise<boolean> {
  for await (const o of provider.listObjects(prefix)) if (!o.isFolder) return false;
  return true;
}

export function nothingUnder(provider: StorageProvider, prefix: string): NotFoundError {
  const parent = prefix.replace(/[^/]*\/?$/, '');
  return new NotFoundError(`nothing under ${provider.describe()}/${prefix}`, {
    hint: `check the prefix; \`archive list\` of ${parent ? `"${parent}"` : 'the container'} shows what is there`,
  });
}

/** `left out 2 non-log objects (challenge 1, probe 1); --kind includes them` or undefined. */
export function leftOutNote(leftOut: Record<string, number> | undefined): string | undefined {
  const parts = Object.entries(leftOut ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const n = parts.reduce((a, [, c]) => a + c, 0);
  if (!n) return undefined;
  return `left out ${n} non-log object${n === 1 ? '' : 's'} (${parts.map(([k, c]) => `${k} ${c}`).join(', ')}); --kind includes them`;
}
