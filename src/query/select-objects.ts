/**
 * The object set a query reads: exactly what `archive list` selects with the same filters (the
 * pruned listing), minus objects that hold no records (heap dumps, JFR recordings, ownership
 * challenges, markers, validate probes) unless --kind asks for them, and with --dedupe applied
 * the way `pull --dedupe` applies it.
 */
import { listEntries, type ListOptions } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { dedupe, type DuplicateNote } from '../pull/plan.js';
import { kindClass } from '../layouts/kinds.js';

const PROBE_PREFIX = '.archive-validate/';

export interface SelectOptions extends ListOptions {
  dedupe?: boolean;
}

export interface Selection {
  entries: Entry[];
  duplicates: DuplicateNote[];
  /** Objects left out because they hold no records. */
  nonRecords: number;
}

export function isRecordObject(e: Entry): boolean {
  if (e.key.endsWith('/')) return false;
  if (e.key.includes(PROBE_PREFIX) || e.key.startsWith(PROBE_PREFIX.slice(0, -1))) return false;
  // One table of kinds for every data command (layouts/kinds.ts): only 'record' kinds hold NDJSON.
  return kindClass(e.facts.kind) === 'record';
}

export async function selectObjects(provider: StorageProvider, prefix: string, o: SelectOptions): Promise<Selection> {
  const asked = (o.kind ?? []).length > 0;
  let entries: Entry[] = [];
  let nonRecords = 0;
  for await (const e of listEntries(provider, prefix, o)) {
    if (!asked && !isRecordObject(e)) {
      nonRecords++;
      continue;
    }
    if (e.key.endsWith('/')) continue;
    entries.push(e);
  }
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  // Time order, then key: the order temp files are numbered in, so results without ORDER BY are
  // at least stable from run to run.
  entries.sort((a, b) => a.time.getTime() - b.time.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries, duplicates, nonRecords };
}
