/**
 * Backfills and re-exports: one object per logical partition (an Amplitude project's hour), the
 * newest. Shared by every command that selects objects (pull, query, restore), so it sits with
 * the listing, below them all.
 */
import type { Entry } from '../filter.js';

export interface DuplicateNote {
  kept: Entry;
  dropped: Entry;
}

/** Keeps the newest object of each logical partition (a backfill re-export supersedes the original). */
export function dedupe(entries: Entry[]): { kept: Entry[]; notes: DuplicateNote[] } {
  const best = new Map<string, Entry>();
  const notes: DuplicateNote[] = [];
  for (const e of entries) {
    const p = e.facts.partition;
    if (!p) continue;
    const cur = best.get(p);
    if (!cur) best.set(p, e);
    else if (e.lastModified > cur.lastModified || (e.lastModified.getTime() === cur.lastModified.getTime() && e.key > cur.key)) {
      notes.push({ kept: e, dropped: cur });
      best.set(p, e);
    } else notes.push({ kept: cur, dropped: e });
  }
  const dropped = new Set(notes.map((n) => n.dropped));
  // A note's "kept" may itself be dropped later by a newer copy; report the final winner.
  for (const n of notes) n.kept = best.get(n.dropped.facts.partition!)!;
  return { kept: entries.filter((e) => !dropped.has(e)), notes };
}
