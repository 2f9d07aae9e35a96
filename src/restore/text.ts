/**
 * Text from outside (keys, service values) made safe for a person's terminal, and command lines
 * a person can paste. Pure.
 */

/** Control characters (C0, DEL, C1), bidi controls and the backslash itself. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character, bidi control and backslash shown escaped (`\n`, `\x1b`, `\u202e`, `\\`). */
export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Characters a POSIX shell never treats specially in a word. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Anything a single-quoted word cannot show on a terminal: use $'…' (bash, zsh, ksh; POSIX.1-2024). */
const NEEDS_ANSI = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * One shell word that means exactly `s` when pasted into bash or zsh, and shows nothing raw on a
 * terminal: as is when plain, else '…' (a single quote as '\''), else with control characters
 * $'…' with escapes.
 */
export function shellWord(s: string): string {
  if (s !== '' && PLAIN_WORD.test(s)) return s;
  if (!NEEDS_ANSI.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(UNSAFE, (c) => (c === '\\' ? c : printable(c)))}'`;
}
