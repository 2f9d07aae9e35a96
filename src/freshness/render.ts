/**
 * `archive freshness` output: a table for people (stream, newest, lag, gaps, verdict, then one
 * verdict line), one JSON document, or the Prometheus text exposition format that node_exporter's
 * textfile collector reads. Pure: the report in, lines out.
 *
 * Stream names come from keys: escaped in the table (output/escape.ts), exact in JSON, and in
 * Prometheus label values escaped only as that format says (backslash, double quote, line feed).
 */
import type { ChalkInstance } from 'chalk';
import { escapeText } from '../output/escape.js';
import { formatTime } from '../output/format.js';
import { fitWidths, renderHeader, renderRow, type Column } from '../output/table.js';
import { formatDuration, isoUtc } from '../time.js';
import type { FreshnessReport, StreamReport } from './check.js';
import type { Gap } from './gaps.js';

export type Verdict = 'ok' | 'late' | 'gaps' | 'late, gaps';

export function verdictOf(s: StreamReport, allowGaps: boolean): Verdict {
  const gapped = s.missing > 0 && !allowGaps;
  return s.late ? (gapped ? 'late, gaps' : 'late') : gapped ? 'gaps' : 'ok';
}

/** `2026-02-28 21:00–23:00` (an hour run within a day), `2026-02-27–2026-02-28` (days). */
function gapText(g: Gap, cadence: StreamReport['cadence']): string {
  const from = formatTime(new Date(g.start));
  if (cadence === 'day') {
    const last = new Date(g.end - 1).toISOString().slice(0, 10);
    return g.units === 1 ? from.slice(0, 10) : `${from.slice(0, 10)}–${last}`;
  }
  const to = formatTime(new Date(g.end));
  return `${from.slice(0, 16)}–${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11, 16) : to.slice(0, 16)}`;
}

function gapsCell(s: StreamReport): string {
  if (!s.missing) return '0';
  const unit = s.cadence === 'day' ? 'd' : 'h';
  const shown = s.gaps.slice(0, 2).map((g) => gapText(g, s.cadence));
  return `${s.missing}${unit}: ${shown.join(', ')}${s.gaps.length > 2 ? ', …' : ''}`;
}

/** The one-line answer, as the table's last line and the error message's base. */
export function verdictLine(r: FreshnessReport): string {
  const window = formatDuration(r.window).replace(/ 0[hms]$/, '');
  if (!r.streams.length) return `verdict: FAILED: no object in the last ${window}`;
  const late = r.streams.filter((s) => s.late).length;
  const gapped = r.streams.filter((s) => s.missing > 0).length;
  const n = r.streams.length;
  const streams = `${n} stream${n === 1 ? '' : 's'}`;
  const parts = [late ? `${late} late` : '', gapped ? `${gapped} with gaps${r.allowGaps ? ' (allowed)' : ''}` : ''].filter(Boolean);
  if (r.ok) return `verdict: ok: ${streams} fresh${parts.length ? `; ${parts.join(', ')}` : ''}`;
  return `verdict: FAILED: ${parts.join(', ')} of ${streams}`;
}

export function renderTable(r: FreshnessReport, c: ChalkInstance, width?: number): string[] {
  const cols: Column[] = [
    { header: 'STREAM', shrink: 'middle', min: 12 },
    { header: 'NEWEST (UTC)' },
    { header: 'LAG', align: 'right' },
    { header: 'GAPS', shrink: 'end', min: 10 },
    { header: 'VERDICT' },
  ];
  const rows = r.streams.map((s) => [
    escapeText(s.stream),
    formatTime(s.newest),
    formatDuration(s.lagMs),
    gapsCell(s),
    verdictOf(s, r.allowGaps),
  ]);
  const widths = fitWidths(cols, rows, width);
  const line = verdictLine(r);
  return [
    ...(rows.length ? [c.bold(renderHeader(cols, widths)), ...rows.map((row) => renderRow(cols, widths, row))] : []),
    r.ok ? c.green(line) : c.red(line),
  ];
}

export function renderJson(r: FreshnessReport): string {
  return JSON.stringify({
    location: r.location,
    now: isoUtc(r.now),
    window: { since: isoUtc(r.since), seconds: r.window / 1000 },
    maxLagSeconds: r.maxLag === undefined ? null : r.maxLag / 1000,
    allowGaps: r.allowGaps,
    ok: r.ok,
    streams: r.streams.map((s) => ({
      stream: s.stream,
      layout: s.layout,
      cadence: s.cadence,
      objects: s.objects,
      bytes: s.bytes,
      newest: isoUtc(s.newest),
      newestKey: s.newestKey,
      lagSeconds: Math.round(s.lagMs / 1000),
      gaps: s.gaps.map((g) => ({ start: isoUtc(new Date(g.start)), end: isoUtc(new Date(g.end)), units: g.units })),
      missing: s.missing,
      late: s.late,
      verdict: verdictOf(s, r.allowGaps),
    })),
    requests: r.requests ?? null,
    scanned: r.scanned,
  });
}

/** A label value as the Prometheus text format writes it: `\`, `"` and line feed escaped, nothing else. */
export function promLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function family(name: string, help: string, samples: ReadonlyArray<[labels: string, value: number]>): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([l, v]) => `${name}{${l}} ${v}`)];
}

/** The node_exporter textfile format: one family per metric, a sample per stream. */
export function renderPrometheus(r: FreshnessReport): string[] {
  const loc = `location="${promLabel(r.location)}"`;
  const per = (f: (s: StreamReport) => number) => r.streams.map((s): [string, number] => [`${loc},stream="${promLabel(s.stream)}"`, f(s)]);
  return [
    ...family(
      'archive_export_lag_seconds',
      'Seconds from the end of the newest data of the stream to the check.',
      per((s) => Math.round(s.lagMs / 1000)),
    ),
    ...family(
      'archive_export_newest_timestamp_seconds',
      'End of the newest data of the stream, Unix seconds.',
      per((s) => Math.floor(s.newest.getTime() / 1000)),
    ),
    ...family(
      'archive_export_gaps',
      'Complete hours (days for daily streams) in the window without any object.',
      per((s) => s.missing),
    ),
    ...family(
      'archive_export_objects',
      'Objects of the stream in the window.',
      per((s) => s.objects),
    ),
    ...family(
      'archive_export_ok',
      '1 when the stream is within --max-lag and without gaps (gaps ignored with --allow-gaps).',
      per((s) => (s.ok ? 1 : 0)),
    ),
    ...family('archive_freshness_window_seconds', 'The window the check looked at.', [[loc, r.window / 1000]]),
    ...family('archive_freshness_streams', 'Streams with an object in the window.', [[loc, r.streams.length]]),
    ...family('archive_freshness_ok', '1 when every stream passed (0 also when no object is in the window).', [[loc, r.ok ? 1 : 0]]),
    ...family('archive_freshness_timestamp_seconds', 'When the check ran (its now), Unix seconds.', [
      [loc, Math.floor(r.now.getTime() / 1000)],
    ]),
  ];
}
