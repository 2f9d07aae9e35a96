/**
 * A stream's cadence and the gaps in its window, from the time spans of its objects. Pure.
 *
 * Cadence: the unit a gap is counted in. `day` when the stream's objects each cover a day or more
 * (a daily file, a daily folder of a dated archive), or, for objects with only a point in time,
 * when the median spacing between them is 20 h or more; `hour` otherwise (Cloudflare batches,
 * hourly Vespa, Amplitude and Logz.io files). `--cadence` overrides.
 *
 * Gap: a complete hour (day) of the window that no object's span covers (findGaps). The unit now
 * is in is unfinished and never a gap; neither is a unit that ended less than `grace` ago (the
 * export may still deliver it: --max-lag when given, else one unit), so an hourly file that lands
 * a few minutes after its hour closes is never a false alarm; nor a unit before the stream's first
 * object in the window (a host that came up an hour ago has no 23 gaps). A stream that stopped is
 * caught by its lag first, then by its gaps once they are older than the grace.
 */
export type Cadence = 'hour' | 'day';

export const UNIT_MS: Record<Cadence, number> = { hour: 3_600_000, day: 86_400_000 };

/** What an object covers: [start, end) in epoch ms; a point in time has end === start. */
export interface Span {
  start: number;
  end: number;
}

/** A run of missing units: [start, end), `units` of them. */
export interface Gap {
  start: number;
  end: number;
  units: number;
}

const LONG = 20 * 3_600_000;

export function cadenceOf(spans: readonly Span[]): Cadence {
  const ranged = spans.filter((s) => s.end > s.start);
  if (ranged.length) return ranged.every((s) => s.end - s.start >= LONG) ? 'day' : 'hour';
  const times = [...new Set(spans.map((s) => s.start))].sort((a, b) => a - b);
  if (times.length < 3) return 'hour';
  const steps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)] >= LONG ? 'day' : 'hour';
}

/** Of an object spanning units, only this share of a unit (or all of it, if shorter) makes the unit delivered. */
const TOUCH = 1 / 20;

/**
 * The gaps of `spans` in the window [since, now): complete units from the first that starts at or
 * after `since` — or, for a stream whose first object comes later (a new host, a new dataset),
 * the unit of that object — to the last that ends at or before `now − grace`, runs of empty ones
 * merged. A unit counts as delivered when an object lies inside it or overlaps it by at least a
 * twentieth of it (3 minutes of an hour): Vespa names an hourly file a second past the hour, and
 * that second of the next hour does not make the next hour's missing file delivered.
 */
export function findGaps(spans: readonly Span[], o: { since: number; now: number; unit: number; grace: number }): Gap[] {
  if (!spans.length) return [];
  const earliest = Math.min(...spans.map((s) => s.start));
  const first = Math.max(Math.ceil(o.since / o.unit), Math.floor(earliest / o.unit)) * o.unit;
  const last = Math.floor(Math.min(o.now, o.now - o.grace) / o.unit) * o.unit; // end of the last unit judged
  const n = Math.max(0, (last - first) / o.unit);
  if (!n) return [];
  const covered = new Uint8Array(n);
  for (const s of spans) {
    const end = Math.max(s.end, s.start + 1);
    const need = Math.min(o.unit * TOUCH, end - s.start);
    const from = Math.max(0, Math.floor((s.start - first) / o.unit));
    const to = Math.min(n, Math.ceil((end - first) / o.unit));
    for (let i = from; i < to; i++) {
      const u = first + i * o.unit;
      if (Math.min(end, u + o.unit) - Math.max(s.start, u) >= need) covered[i] = 1;
    }
  }
  const gaps: Gap[] = [];
  for (let i = 0; i < n; i++) {
    if (covered[i]) continue;
    const start = first + i * o.unit;
    const prev = gaps[gaps.length - 1];
    if (prev && prev.end === start) {
      prev.end += o.unit;
      prev.units++;
    } else gaps.push({ start, end: start + o.unit, units: 1 });
  }
  return gaps;
}
