/**
 * `list --summary`: objects and bytes per kind, per host and per UTC day of the listed entries.
 * Built while the listing streams (one counter per distinct value, never the entries themselves),
 * so memory grows with the number of kinds/hosts/days, not with the number of objects.
 */
import type { Entry } from '../filter.js';
import { tierLabel } from '../providers/cold-state.js';

export interface Tally {
  objects: number;
  bytes: number;
}

export interface SummaryRow extends Tally {
  name: string;
}

export interface Summary {
  total: Tally;
  kinds: SummaryRow[];
  hosts: SummaryRow[];
  days: SummaryRow[];
  /** Per tier or storage class, with its rehydration/restore state (`Archive (rehydrating)` …); `(none)` when the service named none. */
  tiers: SummaryRow[];
}

export class SummaryBuilder {
  private readonly total: Tally = { objects: 0, bytes: 0 };
  private readonly kinds = new Map<string, Tally>();
  private readonly hosts = new Map<string, Tally>();
  private readonly days = new Map<string, Tally>();
  private readonly tiers = new Map<string, Tally>();

  add(e: Entry): void {
    this.total.objects++;
    this.total.bytes += e.size;
    bump(this.kinds, e.facts.kind ?? 'other', e.size);
    if (e.facts.host) bump(this.hosts, e.facts.host, e.size);
    bump(this.days, e.time.toISOString().slice(0, 10), e.size);
    bump(this.tiers, tierLabel(e, e.cold, false) || '(none)', e.size);
  }

  build(): Summary {
    return {
      total: { ...this.total },
      // Kinds and hosts by size (what takes the space first); days in calendar order.
      kinds: rows(this.kinds).sort(bySizeThenName),
      hosts: rows(this.hosts).sort(bySizeThenName),
      days: rows(this.days).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      tiers: rows(this.tiers).sort(bySizeThenName),
    };
  }
}

function bump(m: Map<string, Tally>, name: string, bytes: number): void {
  const t = m.get(name);
  if (t) {
    t.objects++;
    t.bytes += bytes;
  } else m.set(name, { objects: 1, bytes });
}

function rows(m: Map<string, Tally>): SummaryRow[] {
  return [...m].map(([name, t]) => ({ name, ...t }));
}

function bySizeThenName(a: SummaryRow, b: SummaryRow): number {
  return b.bytes - a.bytes || b.objects - a.objects || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
