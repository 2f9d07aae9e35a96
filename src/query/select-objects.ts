/**
 * The object set a query reads: exactly what `archive list` selects with the same filters (the
 * pruned listing), minus objects that hold no records (heap dumps, JFR recordings, ownership
 * challenges, markers, validate probes) unless --kind asks for them, and with --dedupe applied
 * the way `pull --dedupe` applies it. A location with nothing under it is a NotFoundError (exit 4).
 */
import { isProbeKey, listEntries, nothingUnder, type ListOptions, type ListTotals } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { dedupe, type DuplicateNote } from '../listing/dedupe.js';
import { parseKey } from '../layouts/index.js';
import { kindClass } from '../layouts/kinds.js';
import { viewsFor, type VendorView } from './vendor-views.js';
import { readable } from '../providers/cold-state.js';

export interface SelectOptions extends ListOptions {
  dedupe?: boolean;
}

export interface Selection {
  entries: Entry[];
  duplicates: DuplicateNote[];
  /** Objects left out because they hold no records, per kind (listing.ts `take: 'records'`). */
  leftOut: Record<string, number>;
  /**
   * With nothing selected (an empty window): the typed views the location's records call for,
   * from a sample of its objects (the same layout and --kind), so an empty result keeps the
   * columns a full one has; `records` 0 when the sample held no record object to go by.
   */
  sampled?: { views: VendorView[]; records: number };
  /** Objects in an archive tier (providers/cold-state.ts): never read, not in `entries`. */
  archived: Entry[];
}

/** How many objects the sample of an empty selection looks at (one LIST page). */
const SAMPLE = 1000;

/**
 * The first objects under the prefix, as the listing would see them: undefined when there is none
 * at all (the location is wrong), else the views their record objects call for.
 */
async function sampleViews(provider: StorageProvider, prefix: string, o: SelectOptions): Promise<Selection['sampled']> {
  const layout = o.layout ?? 'auto';
  const kinds = new Set(
    (o.kind ?? [])
      .flatMap((k) => k.split(','))
      .map((k) => k.trim().toLowerCase())
      .filter(Boolean),
  );
  const records: Entry[] = [];
  let seen = 0;
  for await (const obj of provider.listObjects(prefix)) {
    if (obj.isFolder) continue;
    if (++seen > SAMPLE) break;
    const facts = isProbeKey(obj.key) ? { layout: 'generic', kind: 'probe' } : (parseKey(obj.key, layout) ?? { layout: 'generic' });
    if (kinds.size ? !kinds.has((facts.kind ?? '').toLowerCase()) : kindClass(facts.kind) !== 'record') continue;
    records.push({ ...obj, facts, time: obj.lastModified, timeSource: 'modified' });
  }
  if (!seen) return undefined;
  return { views: viewsFor(records).views, records: records.length };
}

export async function selectObjects(provider: StorageProvider, prefix: string, o: SelectOptions): Promise<Selection> {
  // The same choice cat makes (layouts/kinds.ts): only 'record' kinds unless --kind or an exact key asks.
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  let entries: Entry[] = [];
  for await (const e of listEntries(provider, prefix, { ...o, take: 'records' }, totals)) entries.push(e);
  // As cat and pull (README "Exit codes"): nothing at all under the location is not found (4);
  // objects there that the filters leave out give an empty result, typed as a full one would be.
  let sampled: Selection['sampled'];
  if (!totals.count) {
    sampled = await sampleViews(provider, prefix, o);
    if (!sampled) throw nothingUnder(provider, prefix);
  }
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  // Time order, then key: the order temp files are numbered in, so results without ORDER BY are
  // at least stable from run to run.
  entries.sort((a, b) => a.time.getTime() - b.time.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const archived = entries.filter((e) => !readable(e.cold));
  if (archived.length) entries = entries.filter((e) => readable(e.cold));
  return { entries, duplicates, leftOut: totals.leftOut ?? {}, archived, ...(sampled ? { sampled } : {}) };
}
