/**
 * A provider listing turned into filtered, layout-annotated entries. Streams: one page of keys in
 * memory at a time, whatever the size of the archive.
 */
import { parseKey, getLayout } from './layouts/index.js';
import { buildFilter, type Entry, type FilterOptions } from './filter.js';
import type { StorageProvider } from './providers/types.js';

export interface ListOptions extends FilterOptions {
  /** Layout name or 'auto'. */
  layout?: string;
  /**
   * Yield folder markers (as kind 'folder') instead of dropping them. Only `list` asks: data
   * commands must never open a folder as a file.
   */
  folders?: boolean;
}

export interface ListTotals {
  count: number;
  bytes: number;
  scanned: number;
}

export async function* listEntries(provider: StorageProvider, prefix: string, opts: ListOptions, totals?: ListTotals): AsyncIterable<Entry> {
  const layout = opts.layout ?? 'auto';
  if (layout !== 'auto') getLayout(layout); // a typo must fail before the first request
  const keep = buildFilter(opts);
  for await (const o of provider.listObjects(prefix)) {
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
