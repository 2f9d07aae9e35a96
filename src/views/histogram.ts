/**
 * `list --histogram`: objects and bytes per hour (or day) across the window, empty buckets kept,
 * so a missing hour of a vendor's export shows as a gap instead of silently shrinking the chart.
 * Buckets are UTC and aligned to the hour/day; the range is the window when one was given, else
 * the span of the listed entries' times.
 */
import type { Entry, TimeWindow } from '../filter.js';
import type { Tally } from './summary.js';

export type BucketSize = 'hour' | 'day';

export interface Bucket extends Tally {
  /** Start of the bucket, ISO UTC. */
  start: string;
}

export interface Histogram {
  bucket: BucketSize;
  from: string;
  to: string;
  buckets: Bucket[];
  /** Buckets with no object, by start: the gaps a person looks for. */
  empty: string[];
  /** Entries whose time falls outside [from, to) (an object overlapping the window's start). */
  outside: number;
  /**
   * Listed objects not counted, per kind: without --kind the histogram counts log objects only
   * (ownership challenges, markers, probes, dumps and folders are no export).
   */
  leftOut?: Record<string, number>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Past this many hourly buckets the chart switches to days: 14 days of hours is 336 rows. */
export const MAX_HOURLY_BUCKETS = 14 * 24;
/** A chart longer than this is not a chart; the range is cut to its newest buckets. */
export const MAX_BUCKETS = 4000;

function floorTo(t: number, size: number): number {
  return Math.floor(t / size) * size;
}

export class HistogramBuilder {
  private readonly counts = new Map<number, Tally>();
  private min = Infinity;
  private max = -Infinity;

  add(e: Entry): void {
    const t = e.time.getTime();
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    // Counted per hour always; days are folded from hours at build time.
    const h = floorTo(t, HOUR);
    const c = this.counts.get(h);
    if (c) {
      c.objects++;
      c.bytes += e.size;
    } else this.counts.set(h, { objects: 1, bytes: e.size });
  }

  build(window: TimeWindow, requested?: BucketSize, now = new Date()): Histogram {
    const start = window.since?.getTime() ?? (Number.isFinite(this.min) ? this.min : now.getTime());
    const end =
      window.until?.getTime() ?? (Number.isFinite(this.max) ? Math.max(this.max + 1, window.since ? now.getTime() : 0) : now.getTime());
    const bucket: BucketSize = requested ?? ((end - start) / HOUR > MAX_HOURLY_BUCKETS ? 'day' : 'hour');
    const size = bucket === 'hour' ? HOUR : DAY;
    let from = floorTo(start, size);
    const to = Math.max(from + size, floorTo(end - 1, size) + size);
    if ((to - from) / size > MAX_BUCKETS) from = to - MAX_BUCKETS * size;
    const buckets: Bucket[] = [];
    for (let t = from; t < to; t += size) buckets.push({ start: new Date(t).toISOString(), objects: 0, bytes: 0 });
    let outside = 0;
    for (const [hour, c] of this.counts) {
      const i = Math.floor((floorTo(hour, size) - from) / size);
      if (i < 0 || i >= buckets.length) {
        outside += c.objects;
        continue;
      }
      buckets[i].objects += c.objects;
      buckets[i].bytes += c.bytes;
    }
    return {
      bucket,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      buckets,
      empty: buckets.filter((b) => b.objects === 0).map((b) => b.start),
      outside,
    };
  }
}
