/**
 * The aligned text table for a terminal: a header, a rule, one line per row, numbers right-aligned,
 * long cells cut with an ellipsis so a wide JSON column cannot wrap the screen. Pure.
 */

export interface TableInput {
  columns: string[];
  /** Per column: right-align (numbers). */
  numeric: boolean[];
  rows: string[][];
  /** Rows the result had beyond those shown. */
  more?: boolean;
}

const MAX_CELL = 60;

function cut(s: string): string {
  const one = s.replace(/\r?\n/g, '⏎');
  return one.length > MAX_CELL ? `${one.slice(0, MAX_CELL - 1)}…` : one;
}

export function renderTable(t: TableInput): string {
  const cells = t.rows.map((r) => r.map(cut));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: string[], header = false) =>
    vals
      .map((v, i) => (t.numeric[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(t.columns, true), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  return `${out.join('\n')}\n`;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
export function isNumericType(typeName: string): boolean {
  return NUMERIC.test(typeName);
}
