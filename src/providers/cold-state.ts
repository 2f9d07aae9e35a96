/**
 * Cold tiers, pure: whether an object can be read now (its tier or storage class and the
 * rehydration/restore the service reports), how to name that for a person, and what each
 * provider documents a restore takes. Used by the listing (entries carry their state), list's
 * --long/--summary/JSON, the data commands (which never read an archived object) and `restore`.
 */
import type { ColdState, ObjectInfo, ProviderKind } from './types.js';

export type { ColdState } from './types.js';

/** S3 classes whose objects must be restored before a GET (Glacier Instant Retrieval is read directly). */
const S3_ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export function coldState(o: Pick<ObjectInfo, 'tier' | 'restore' | 'archiveAccess'>, provider: ProviderKind): ColdState {
  if (o.tier === 'STANDARD' && !o.restore && !o.archiveAccess) return 'online';
  if (provider === 'azure') {
    // A blob rehydrating (or a copy of an archived blob) stays in Archive until it is done.
    if (o.tier !== 'Archive' && o.tier?.toLowerCase() !== 'archive') return 'online';
    return o.restore ? 'restoring' : 'archived';
  }
  const archived =
    (o.tier !== undefined && (S3_ARCHIVE_CLASSES.has(o.tier) || S3_ARCHIVE_CLASSES.has(o.tier.toUpperCase()))) || !!o.archiveAccess;
  if (o.restore?.state === 'pending') return archived || o.tier === 'INTELLIGENT_TIERING' ? 'restoring' : 'online';
  if (!archived) return 'online';
  return o.restore?.state === 'restored' ? 'restored' : 'archived';
}

/** Whether a GET can succeed now. */
export function readable(state: ColdState | undefined): boolean {
  return state === undefined || state === 'online' || state === 'restored';
}

/** Azure's ArchiveStatus `rehydrate-pending-to-hot` → `Hot`; undefined for a value of another shape. */
export function rehydrationTarget(status: string | undefined): string | undefined {
  const m = /^rehydrate-pending-to-([a-z]+)$/i.exec(status ?? '');
  return m ? m[1][0].toUpperCase() + m[1].slice(1).toLowerCase() : undefined;
}

/**
 * The TIER cell of `list --long` and the tier's row in `--summary`: the service's name, and the
 * restore where there is one: `Archive → Hot (rehydrating, High)`, `Archive (some-new-status)`,
 * `GLACIER (restoring)`, `GLACIER (restored until 2026-03-02 00:00)`.
 */
export function tierLabel(o: Pick<ObjectInfo, 'tier' | 'restore' | 'archiveAccess'>, state: ColdState | undefined, detail = true): string {
  const base = o.archiveAccess ? `${o.tier ?? 'INTELLIGENT_TIERING'}/${o.archiveAccess}` : (o.tier ?? '');
  const r = o.restore;
  if (!r || state === 'online' || !base) return base;
  if (state === 'restored') {
    const until = r.expiry ? r.expiry.toISOString().slice(0, 16).replace('T', ' ') : '';
    return detail && until ? `${base} (restored until ${until})` : `${base} (restored)`;
  }
  const target = rehydrationTarget(r.status);
  if (target) return detail && r.priority ? `${base} → ${target} (rehydrating, ${r.priority})` : `${base} → ${target} (rehydrating)`;
  if (r.status) return `${base} (${r.status})`;
  return `${base} (restoring)`;
}

/** One line of the documented retrieval times for a request, per provider, tier and priority. */
export interface RetrievalTime {
  /** What is being restored: `Archive`, `GLACIER`, `DEEP_ARCHIVE`, `INTELLIGENT_TIERING/ARCHIVE_ACCESS`… */
  from: string;
  /** The documented time, as the provider words it. */
  time: string;
  /** Set when the provider does not offer this retrieval for that class (S3 Expedited from Deep Archive). */
  unavailable?: string;
}

/**
 * The providers' documented retrieval times (Microsoft Learn "Blob rehydration from the archive
 * tier"; AWS "Understanding archive retrieval options"). Estimates, not promises: both say that
 * demand and object size can make it longer.
 */
export function retrievalTime(
  provider: ProviderKind,
  from: string,
  o: { priority?: 'Standard' | 'High'; tier?: 'Standard' | 'Bulk' | 'Expedited' },
): RetrievalTime {
  if (provider === 'azure') {
    return o.priority === 'High'
      ? { from, time: 'under 1 hour for blobs under 10 GB (high priority; may take longer with demand)' }
      : { from, time: 'up to 15 hours (standard priority)' };
  }
  const deep = /DEEP_ARCHIVE/.test(from);
  switch (o.tier ?? 'Standard') {
    case 'Expedited':
      return deep
        ? {
            from,
            time: '',
            unavailable: 'Expedited retrieval is not offered for Deep Archive: use --tier Standard (12 hours) or Bulk (48 hours)',
          }
        : { from, time: '1–5 minutes for objects under 250 MB (Expedited)' };
    case 'Bulk':
      return { from, time: deep ? 'within 48 hours (Bulk)' : '5–12 hours (Bulk)' };
    default:
      return { from, time: deep ? 'within 12 hours (Standard)' : '3–5 hours (Standard)' };
  }
}
