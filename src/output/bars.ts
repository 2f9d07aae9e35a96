/**
 * Horizontal bar charts from block characters. Hand-written rather than a charting library: the
 * whole job is eight glyphs and a ratio, and every terminal-chart package on npm we looked at
 * (asciichart, cli-chart, chartscii) either draws line plots only or pulls in a dependency tree
 * that `archive --help` would not pay for but the bundle would carry.
 */

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `value/max` of `width` cells, in eighths of a cell; a non-zero value is never invisible. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}
