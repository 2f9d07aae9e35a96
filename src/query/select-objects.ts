/**
 * The object set a query reads: exactly what `archive list` selects with the same filters (the
 * pruned listing), minus objects that hold no records (heap dumps, JFR recordings, ownership
 * challenges, markers, validate probes) unless --kind asks for them, and with --dedupe applied
 * the way `pull --dedupe` applies it. A location with nothing under it is a NotFoundError (exit 4).
 */
import { listEntries, nothingUnder, prefixIsEmpty, type ListOptions, type ListTotals } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { dedupe, type DuplicateNote } from '../pull/plan.js';

export interface SelectOptions extends ListOptions {
  dedupe?: boolean;
}

export interface Selection {
  entries: Entry[];
  duplicates: DuplicateNote[];
  /** Objects left out because they hold no records, per kind (listing.ts `take: 'records'`). */
  leftOut: Record<string, number>;
}

export async function selectObjects(provider: StorageProvider, prefix: string, o: SelectOptions): Promise<Selection> {
  // The same choice cat makes (layouts/kinds.ts): only 'record' kinds unless --kind or an exact key asks.
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  let entries: Entry[] = [];
  for await (const e of listEntries(provider, prefix, { ...o, take: 'records' }, totals)) entries.push(e);
  // As cat and pull (README "Exit codes"): nothing at all under the location is not found (4);
  // objects there that the filters leave out give an empty result.
  if (!totals.count && (await prefixIsEmpty(provider, prefix))) throw nothingUnder(provider, prefix);
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  // Time order, then key: the order temp files are numbered in, so results without ORDER BY are
  // at least stable from run to run.
  entries.sort((a, b) => a.time.getTime() - b.time.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries, duplicates, leftOut: totals.leftOut ?? {} };
}
