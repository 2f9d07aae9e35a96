/**
 * `archive freshness`: per export stream (streams.ts), the newest data, its lag behind now and the
 * gaps in the window (gaps.ts), from one pruned listing of the window [now − window, …): its cost
 * is the window's newest folders and name prefixes, whatever the archive's age.
 *
 * A stream's newest data is the latest end of its objects' spans (the key's end when the layout
 * knows one: a Cloudflare batch's last second, the end of an hourly file's hour; else the key's
 * time, else last-modified). Its lag is now minus that, never below 0. It fails the check when
 * the lag exceeds --max-lag, or when it has a gap (unless --allow-gaps). A location with no object
 * in the window fails it too: every export into it has stopped, or never started.
 */
import { listEntries, nothingUnder, prefixIsEmpty, type ListTotals, type PlanEvent } from '../listing.js';
import type { Entry, FilterOptions } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { UNIT_MS, cadenceOf, findGaps, type Cadence, type Gap, type Span } from './gaps.js';
import { streamOf, type StreamBy } from './streams.js';

export interface FreshnessOptions {
  filters: FilterOptions & { layout?: string };
  by: StreamBy;
  /** The window, ms back from now. */
  window: number;
  maxLag?: number;
  allowGaps: boolean;
  /** Forced cadence; undefined infers it per stream. */
  cadence?: Cadence;
  now: Date;
  onPlan?(e: PlanEvent): void;
}

export interface StreamReport {
  stream: string;
  /** The layout of its newest object. */
  layout: string;
  cadence: Cadence;
  objects: number;
  bytes: number;
  /** The end of its newest data. */
  newest: Date;
  newestKey: string;
  lagMs: number;
  gaps: Gap[];
  /** Units (hours or days) missing: the sum over gaps. */
  missing: number;
  late: boolean;
  ok: boolean;
}

export interface FreshnessReport {
  /** Where, with no secret: the provider's description and the prefix. */
  location: string;
  now: Date;
  since: Date;
  window: number;
  maxLag?: number;
  allowGaps: boolean;
  streams: StreamReport[];
  ok: boolean;
  requests?: number;
  scanned: number;
}

interface Tally {
  spans: Span[];
  objects: number;
  bytes: number;
  newest: number;
  newestKey: string;
  layout: string;
}

function spanOf(e: Entry): Span {
  const start = e.time.getTime();
  return { start, end: e.timeEnd ? e.timeEnd.getTime() : start };
}

function add(streams: Map<string, Tally>, e: Entry, by: StreamBy): void {
  const name = streamOf(e, by);
  const span = spanOf(e);
  let t = streams.get(name);
  if (!t)
    streams.set(name, (t = { spans: [], objects: 0, bytes: 0, newest: Number.NEGATIVE_INFINITY, newestKey: '', layout: e.facts.layout }));
  t.spans.push(span);
  t.objects++;
  t.bytes += e.size;
  if (span.end > t.newest || (span.end === t.newest && e.key > t.newestKey)) {
    t.newest = span.end;
    t.newestKey = e.key;
    t.layout = e.facts.layout;
  }
}

/** One stream's verdict from its tally. */
function judge(
  name: string,
  t: Tally,
  o: Pick<FreshnessOptions, 'maxLag' | 'allowGaps' | 'cadence' | 'window'>,
  now: number,
): StreamReport {
  const cadence = o.cadence ?? cadenceOf(t.spans);
  const unit = UNIT_MS[cadence];
  const gaps = findGaps(t.spans, { since: now - o.window, now, unit, grace: o.maxLag ?? unit });
  const lagMs = Math.max(0, now - t.newest);
  const late = o.maxLag !== undefined && lagMs > o.maxLag;
  const missing = gaps.reduce((a, g) => a + g.units, 0);
  return {
    stream: name,
    layout: t.layout,
    cadence,
    objects: t.objects,
    bytes: t.bytes,
    newest: new Date(t.newest),
    newestKey: t.newestKey,
    lagMs,
    gaps,
    missing,
    late,
    ok: !late && (o.allowGaps || missing === 0),
  };
}

export async function checkFreshness(provider: StorageProvider, prefix: string, o: FreshnessOptions): Promise<FreshnessReport> {
  const now = o.now.getTime();
  const since = new Date(now - o.window);
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  const streams = new Map<string, Tally>();
  const entries = listEntries(
    provider,
    prefix,
    { ...o.filters, since: since.toISOString(), until: undefined, take: 'records', now: o.now, onPlan: o.onPlan },
    totals,
  );
  for await (const e of entries) add(streams, e, o.by);
  if (!streams.size && (await prefixIsEmpty(provider, prefix))) throw nothingUnder(provider, prefix);
  const reports = [...streams.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, t]) => judge(name, t, o, now));
  return {
    location: `${provider.describe()}/${prefix}`,
    now: o.now,
    since,
    window: o.window,
    maxLag: o.maxLag,
    allowGaps: o.allowGaps,
    streams: reports,
    ok: reports.length > 0 && reports.every((r) => r.ok),
    requests: totals.requests,
    scanned: totals.scanned,
  };
}
