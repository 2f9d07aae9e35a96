/**
 * Aligned tables for terminals: every column as wide as its widest cell (header included), and when
 * the row would be wider than the terminal, the shrinkable columns give up characters first, cut
 * with "…" (keys in the middle, so both the folder and the file name stay readable, like rclone's
 * and gh's tables). Pure: widths and strings in, strings out; no terminal needed to test it.
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** How the column shortens when the row does not fit; columns without it never shrink. */
  shrink?: 'end' | 'middle';
  /** A shrinkable column never goes below this many characters (default 8). */
  min?: number;
}

const GAP = 2;
const ELLIPSIS = '…';

/** Display width, counted in code points: keys and hosts are ASCII in every vendor's layout. */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `s` cut to at most `width` display columns, marking the cut with "…". */
export function truncate(s: string, width: number, mode: 'end' | 'middle' = 'end'): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  if (width <= 1) return width === 1 ? ELLIPSIS : '';
  if (mode === 'end') return chars.slice(0, width - 1).join('') + ELLIPSIS;
  // Keep a little more of the end: the file name tells rows apart more often than the folder.
  const tail = Math.ceil((width - 1) / 2);
  const head = width - 1 - tail;
  return chars.slice(0, head).join('') + ELLIPSIS + chars.slice(chars.length - tail).join('');
}

/**
 * Column widths for these rows within `maxWidth` (undefined: no limit). Shrinkable columns are
 * narrowed, widest first, until the row fits or each is at its minimum; what still does not fit
 * then wraps in the terminal, which is better than hiding a column.
 */
export function fitWidths(cols: readonly Column[], rows: readonly (readonly string[])[], maxWidth?: number): number[] {
  const widths = cols.map((c, i) => Math.max(textWidth(c.header), ...rows.map((r) => textWidth(r[i] ?? ''))));
  if (maxWidth === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (cols.length - 1);
  let over = total() - maxWidth;
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      if (!c.shrink || widths[i] <= (c.min ?? 8)) continue;
      if (widest < 0 || widths[i] > widths[widest]) widest = i;
    }
    if (widest < 0) break;
    // Shrink the widest down towards the next widest (or its minimum) in one step.
    const others = widths.filter((_w, i) => i !== widest && cols[i].shrink);
    const floor = Math.max(cols[widest].min ?? 8, others.length ? Math.max(...others) : 0);
    const step = Math.max(1, Math.min(over, widths[widest] - floor));
    widths[widest] -= step;
    over -= step;
  }
  return widths;
}

/** One line: cells padded to their widths, cut where the width is smaller; no trailing blanks. */
export function renderRow(cols: readonly Column[], widths: readonly number[], cells: readonly string[]): string {
  const out = cols.map((c, i) => {
    let s = cells[i] ?? '';
    if (textWidth(s) > widths[i]) s = truncate(s, widths[i], c.shrink ?? 'end');
    const fill = ' '.repeat(Math.max(0, widths[i] - textWidth(s)));
    return c.align === 'right' ? fill + s : s + fill;
  });
  return out.join(' '.repeat(GAP)).trimEnd();
}

export function renderHeader(cols: readonly Column[], widths: readonly number[]): string {
  return renderRow(
    cols.map((c) => ({ ...c, shrink: 'end' as const })),
    widths,
    cols.map((c) => c.header),
  );
}

/** A whole table (header first) for rows already in memory. */
export function renderTable(cols: readonly Column[], rows: readonly (readonly string[])[], maxWidth?: number): string[] {
  const widths = fitWidths(cols, rows, maxWidth);
  return [renderHeader(cols, widths), ...rows.map((r) => renderRow(cols, widths, r))];
}
