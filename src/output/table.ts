/**
 * Aligned tables for terminals: every column as wide as its widest cell (header included), and when
 * the row would be wider than the terminal, the shrinkable columns give up characters first, cut
 * with "…" (keys in the middle, so both the folder and the file name stay readable, like rclone's
 * and gh's tables). A table given a width never prints a line wider than it: past every column's
 * minimum the shrinkable columns go on shrinking, then the fixed ones, and a line is cut visibly
 * as the last resort. Cells are measured in terminal columns (wide CJK and emoji count two,
 * combining marks none, our own colour codes nothing); cells holding outside text are escaped
 * (output/escape.ts) before they get here. Pure: widths and strings in, strings out.
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** How the column shortens when the row does not fit; columns without it shrink only as a last resort. */
  shrink?: 'end' | 'middle';
  /** A shrinkable column gives way to others before going below this many characters (default 8). */
  min?: number;
  /** Order in which shrinkable columns give way down to their minimum: lower first (default 1). */
  give?: number;
}

const GAP = 2;
const ELLIPSIS = '…';
const SGR = /\x1b\[[0-9;]*m/g;
const ZERO = /[\p{Mn}\p{Me}\u200b]/u;
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}\p{Emoji_Presentation}]/u;

/** Columns one character takes on a terminal. */
function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** Display width in terminal columns (colour codes take none). */
export function textWidth(s: string): number {
  let n = 0;
  // Plain ASCII (nearly every key) is its length.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  for (const ch of s.replace(SGR, '')) n += charWidth(ch);
  return n;
}

/** The longest start of `chars` that fits in `width` columns. */
function head(chars: string[], width: number): string {
  let w = 0;
  let i = 0;
  for (; i < chars.length; i++) {
    const cw = charWidth(chars[i]);
    if (w + cw > width) break;
    w += cw;
  }
  return chars.slice(0, i).join('');
}

/** The longest end of `chars` that fits in `width` columns. */
function tail(chars: string[], width: number): string {
  let w = 0;
  let i = chars.length;
  for (; i > 0; i--) {
    const cw = charWidth(chars[i - 1]);
    if (w + cw > width) break;
    w += cw;
  }
  return chars.slice(i).join('');
}

/** `s` cut to at most `width` display columns, marking the cut with "…". */
export function truncate(s: string, width: number, mode: 'end' | 'middle' = 'end'): string {
  if (textWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? ELLIPSIS : '';
  const chars = [...s.replace(SGR, '')];
  if (mode === 'end') return head(chars, width - 1) + ELLIPSIS;
  // Keep a little more of the end: the file name tells rows apart more often than the folder.
  const right = Math.ceil((width - 1) / 2);
  const left = head(chars, width - 1 - right);
  return left + ELLIPSIS + tail(chars, width - 1 - textWidth(left));
}

/**
 * Column widths for these rows within `maxWidth` (undefined: no limit). Shrinkable columns are
 * narrowed, widest first, until the row fits or each is at its minimum; then below their minimum
 * (down to one character, "…"), and then the fixed columns, so the row always fits a width that
 * has room for one character per column.
 */
export function fitWidths(cols: readonly Column[], rows: readonly (readonly string[])[], maxWidth?: number): number[] {
  const widths = cols.map((c, i) => Math.max(textWidth(c.header), ...rows.map((r) => textWidth(r[i] ?? ''))));
  if (maxWidth === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (cols.length - 1);
  let over = total() - maxWidth;
  const shrink = (can: (i: number) => boolean, floor: (i: number) => number, peers: (i: number) => boolean) => {
    while (over > 0) {
      let widest = -1;
      for (let i = 0; i < cols.length; i++) {
        if (!can(i) || widths[i] <= floor(i)) continue;
        if (widest < 0 || widths[i] > widths[widest]) widest = i;
      }
      if (widest < 0) return;
      // Shrink the widest down towards the next widest (or its floor) in one step.
      const others = widths.filter((_w, i) => i !== widest && peers(i));
      const stop = Math.max(floor(widest), others.length ? Math.max(...others) : 0);
      const step = Math.max(1, Math.min(over, widths[widest] - stop));
      widths[widest] -= step;
      over -= step;
    }
  };
  const shrinkable = (i: number) => !!cols[i].shrink;
  const order = [...new Set(cols.filter((c) => c.shrink).map((c) => c.give ?? 1))].sort((a, b) => a - b);
  for (const g of order) {
    const inGroup = (i: number) => shrinkable(i) && (cols[i].give ?? 1) === g;
    shrink(inGroup, (i) => cols[i].min ?? 8, inGroup);
  }
  shrink(shrinkable, () => 1, shrinkable);
  shrink(
    () => true,
    () => 1,
    () => true,
  );
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
  const lines = [renderHeader(cols, widths), ...rows.map((r) => renderRow(cols, widths, r))];
  return maxWidth === undefined ? lines : lines.map((l) => fitLine(l, maxWidth));
}

/** A line cut to `width` columns with "…" (the last resort of a table on a terminal too narrow for it). */
export function fitLine(line: string, width: number): string {
  return textWidth(line) <= width ? line : truncate(line, width, 'end');
}
