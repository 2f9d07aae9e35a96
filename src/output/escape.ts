/**
 * The one escaping of outside text (keys, record values, service messages, SAS fields) for human
 * output, as `ls` and rclone do it: what a terminal would act on or hide is shown as a visible
 * escape instead. Control characters (C0, DEL) become `\xHH` (`\t`, `\n`, `\r` by name); C1
 * controls, bidi overrides and isolates, zero-width and other format characters, line and
 * paragraph separators and lone surrogates become `\uHHHH` (`\u{HHHHH}` beyond the BMP); the
 * backslash itself becomes `\\`, so every escape reads one way. Applied where a line is put
 * together for a person (tables, messages, error and hint lines, progress lines), never to machine
 * output (-o json|ndjson|csv, --out) and never to data (cat, pull). Pure.
 */

/** Everything escapeText changes; `u` so lone surrogates and astral format characters match as code points. */
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

const NAMED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** The visible form of one character escapeText replaces. */
export function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return `\\x${hex(cp, 2)}`;
  return cp > 0xffff ? `\\u{${hex(cp, 5)}}` : `\\u${hex(cp, 4)}`;
}

/** `s` safe to put on a terminal: every character a terminal would act on (or hide) shown escaped. */
export function escapeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_ALL, escapeChar);
}

/** Whether `s` holds a character escapeText would change, the backslash aside (it is printable). */
export function hasUnsafeText(s: string): boolean {
  return UNSAFE.test(s.replace(/\\/g, ''));
}
