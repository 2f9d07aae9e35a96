/**
 * The aligned text table for a terminal: a header, a rule, one line per row, numbers right-aligned.
 * Record values come from outside (a User-Agent, a URL path, a Referer: any visitor of the site
 * writes them): every cell is escaped (output/escape.ts), so no value can move the cursor, retitle
 * the window or break a row. Long cells are cut with "…", and on a terminal the table fits its
 * width (output/table.ts), so no row wraps. Pure.
 */
import { escapeText } from '../output/escape.js';
import { fitWidths, renderHeader, renderRow, type Column } from '../output/table.js';

export interface TableInput {
  columns: string[];
  /** Per column: right-align (numbers). */
  numeric: boolean[];
  rows: string[][];
  /** Rows the result had beyond those shown. */
  more?: boolean;
}

/** No cell is wider than this, whatever the width (a JSON column would push every other one away). */
const MAX_CELL = 60;

export function renderTable(t: TableInput, width?: number): string {
  const cols: Column[] = t.columns.map((c, i) => ({
    header: escapeText(c),
    align: t.numeric[i] ? 'right' : 'left',
    shrink: 'end',
    min: Math.min(12, Math.max(4, c.length)),
  }));
  const cells = t.rows.map((r) => r.map((v) => escapeText(v)));
  const widths = fitWidths(cols, cells, width).map((w) => Math.min(w, MAX_CELL));
  // Headers stay left-aligned above numbers too, as they always were.
  const out = [
    renderHeader(
      cols.map((c) => ({ ...c, align: 'left' as const })),
      widths,
    ),
    widths.map((w) => '─'.repeat(w)).join('  '),
  ];
  for (const r of cells) out.push(renderRow(cols, widths, r));
  return `${out.join('\n')}\n`;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
export function isNumericType(typeName: string): boolean {
  return NUMERIC.test(typeName);
}
