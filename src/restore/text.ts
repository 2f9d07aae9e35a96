import { escapeText, hasUnsafeText } from '../output/escape.js';

/**
 * Text from outside (keys, service values) made safe for a person's terminal, and command lines
 * a person can paste. Pure.
 */

/** `s` shown safe on a terminal: the one escaping of outside text (output/escape.ts). */
export const printable = escapeText;

/** Characters a POSIX shell never treats specially in a word. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One shell word that means exactly `s` when pasted into bash or zsh, and shows nothing raw on a
 * terminal: as is when plain, else '…' (a single quote as '\''), else with control characters
 * $'…' with escapes.
 */
export function shellWord(s: string): string {
  if (s !== '' && PLAIN_WORD.test(s)) return s;
  if (!hasUnsafeText(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  // Inside $'…' a backslash and a quote are escaped first; every other character escapeText shows
  // escaped becomes the escape bash reads back as that character.
  return `$'${[...s].map((c) => (c === '\\' || c === "'" ? `\\${c}` : escapeText(c))).join('')}'`;
}
