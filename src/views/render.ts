/**
 * Terminal renderings of the summary and the histogram: aligned tables with a bar per row, sized
 * to the terminal. Scripts get the same data as JSON from the command; nothing here is parsed.
 */
import type { ChalkInstance } from 'chalk';
import { bar } from '../output/bars.js';
import { escapeText } from '../output/escape.js';
import { formatBytes } from '../output/format.js';
import { fitWidths, renderHeader, renderRow, type Column } from '../output/table.js';
import type { Histogram } from './histogram.js';
import type { Summary, SummaryRow } from './summary.js';

const DEFAULT_WIDTH = 80;
const MIN_BAR = 10;

function tallyTable(title: string, rows: readonly SummaryRow[], width: number, c: ChalkInstance): string[] {
  const cols: Column[] = [
    { header: title, shrink: 'middle', min: 12 },
    { header: 'OBJECTS', align: 'right' },
    { header: 'SIZE', align: 'right' },
  ];
  // Hosts come from keys: escaped like every table cell of outside text.
  const cells = rows.map((r) => [escapeText(r.name), String(r.objects), formatBytes(r.bytes)]);
  const widths = fitWidths(cols, cells, width - MIN_BAR - 2);
  const used = widths.reduce((a, b) => a + b, 0) + 2 * cols.length;
  const barWidth = Math.max(MIN_BAR, width - used);
  const max = Math.max(0, ...rows.map((r) => r.bytes));
  return [
    c.bold(renderHeader(cols, widths)),
    ...rows.map((r, i) => `${renderRow(cols, widths, cells[i]).padEnd(used - 2)}  ${c.cyan(bar(r.bytes, max, barWidth))}`.trimEnd()),
  ];
}

export function renderSummary(s: Summary, c: ChalkInstance, width = DEFAULT_WIDTH): string[] {
  const lines = [...tallyTable('KIND', s.kinds, width, c)];
  if (s.hosts.length) lines.push('', ...tallyTable('HOST', s.hosts, width, c));
  lines.push('', ...tallyTable('DAY (UTC)', s.days, width, c));
  // The tier names come from the service: escaped as every cell of tallyTable.
  if (s.tiers.some((t) => t.name !== '(none)')) lines.push('', ...tallyTable('TIER', s.tiers, width, c));
  lines.push('', c.dim(`${s.total.objects} object${s.total.objects === 1 ? '' : 's'}, ${formatBytes(s.total.bytes)}`));
  return lines;
}

export function renderHistogram(h: Histogram, c: ChalkInstance, width = DEFAULT_WIDTH): string[] {
  const hourly = h.bucket === 'hour';
  const cols: Column[] = [
    { header: hourly ? 'HOUR (UTC)' : 'DAY (UTC)' },
    { header: 'OBJECTS', align: 'right' },
    { header: 'SIZE', align: 'right' },
  ];
  const label = (iso: string) => (hourly ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 10));
  const cells = h.buckets.map((b) => [label(b.start), String(b.objects), b.objects ? formatBytes(b.bytes) : '-']);
  const widths = fitWidths(cols, cells);
  const used = widths.reduce((a, b) => a + b, 0) + 2 * cols.length;
  const barWidth = Math.max(MIN_BAR, width - used);
  const max = Math.max(0, ...h.buckets.map((b) => b.objects));
  const lines = [c.bold(renderHeader(cols, widths))];
  h.buckets.forEach((b, i) => {
    const row = renderRow(cols, widths, cells[i]).padEnd(used - 2);
    lines.push(b.objects ? `${row}  ${c.cyan(bar(b.objects, max, barWidth))}` : `${row}  ${c.yellow('· empty')}`);
  });
  const unit = hourly ? 'hour' : 'day';
  const n = h.buckets.length;
  const gaps = h.empty.length ? c.yellow(`${h.empty.length} of ${n} ${unit}s empty`) : `no empty ${unit}s`;
  lines.push('', `${c.dim(`${n} ${unit}${n === 1 ? '' : 's'} from ${label(h.from)} to ${label(h.to)} UTC:`)} ${gaps}`);
  const left = Object.entries(h.leftOut ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const nLeft = left.reduce((a, [, k]) => a + k, 0);
  if (nLeft)
    lines.push(
      c.dim(
        `counts log objects: left out ${nLeft} other${nLeft === 1 ? '' : 's'} (${left.map(([k, v]) => `${k} ${v}`).join(', ')}); --kind counts them`,
      ),
    );
  return lines;
}
