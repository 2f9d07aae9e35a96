/**
 * The object set a query reads: exactly what `archive list` selects with the same filters (the
 * pruned listing), minus objects that hold no records (heap dumps, JFR recordings, ownership
 * challenges, markers, validate probes) unless --kind asks for them, and with --dedupe applied
 * the way `pull --dedupe` applies it.
 */
import { listEntries, type ListOptions, type ListTotals } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { dedupe, type DuplicateNote } from '../pull/plan.js';
import { readable } from '../restore/state.js';

export interface SelectOptions extends ListOptions {
  dedupe?: boolean;
}

export interface Selection {
  entries: Entry[];
  duplicates: DuplicateNote[];
  /** Objects left out because they hold no records, per kind (listing.ts `take: 'records'`). */
  leftOut: Record<string, number>;
  /** Objects in an archive tier (restore/state.ts): never read, not in `entries`. */
  archived: Entry[];
}

export async function selectObjects(provider: StorageProvider, prefix: string, o: SelectOptions): Promise<Selection> {
  // The same choice cat makes (layouts/kinds.ts): only 'record' kinds unless --kind or an exact key asks.
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  let entries: Entry[] = [];
  for await (const e of listEntries(provider, prefix, { ...o, take: 'records' }, totals)) entries.push(e);
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  // Time order, then key: the order temp files are numbered in, so results without ORDER BY are
  // at least stable from run to run.
  entries.sort((a, b) => a.time.getTime() - b.time.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const archived = entries.filter((e) => !readable(e.cold));
  if (archived.length) entries = entries.filter((e) => readable(e.cold));
  return { entries, duplicates, leftOut: totals.leftOut ?? {}, archived };
}
