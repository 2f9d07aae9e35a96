/**
 * Secrets must never reach a terminal or a log: every string we print passes through redact().
 * Known secrets (keys, client secrets, SAS signatures) are registered at runtime so that they are
 * masked even where they appear in an unexpected shape (e.g. inside an SDK error message).
 *
 * Services echo what we sent them in whatever shape their framework chose: a 403 body quoting the
 * request URL percent-encoded once more (`sig%3DcR1s%252F…`), a token endpoint quoting the form
 * body, a header in base64. So:
 *  - a known secret is matched with every character allowed as itself or percent-encoded any
 *    number of times (`/`, `%2F`, `%252F`, `%25252f` …, hex in either case), and as base64 or
 *    base64url of the secret (or of its percent-encoded form) at any alignment inside a longer
 *    base64 run;
 *  - secret-bearing `key=value` pairs (sig, client_secret, AccountKey, X-Amz-Signature …) are
 *    masked with `=`, `&`, `?` and `;` themselves encoded to any depth, and as JSON members.
 */
const known = new Set<string>();
/**
 * Built on the first redact() after a registration, not at registration: building them took
 * ~10 ms of a 10-key `archive list` (every run registers its credential; few print anything).
 */
let matchers: RegExp[] | undefined = [];

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 6 || known.has(value)) return;
  known.add(value);
  matchers = undefined;
}

function currentMatchers(): RegExp[] {
  matchers ??= [...known].sort((a, b) => b.length - a.length).flatMap(secretMatchers);
  return matchers;
}

/** For tests: forget registered secrets. */
export function clearSecrets(): void {
  known.clear();
  matchers = [];
}

/** `%` followed by any number of `25` (an encoded `%`), then `hex`: `c` encoded to any depth. */
function encodedByte(hex: string): string {
  const h = hex.toUpperCase();
  const hexRe = [...h].map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d)).join('');
  return `%(?:25)*${hexRe}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A regex source matching `s` with each character literal or percent-encoded to any depth. */
function anyEncoding(s: string): string {
  let out = '';
  for (const ch of s) {
    const bytes = Buffer.from(ch, 'utf8');
    const enc = [...bytes].map((b) => encodedByte(b.toString(16).padStart(2, '0'))).join('');
    // Form encoding writes a space as '+'.
    out += ch === ' ' ? `(?: |\\+|${enc})` : `(?:${escapeRe(ch)}|${enc})`;
  }
  return out;
}

/**
 * The base64 characters fully determined by `bytes` when they start at each of the 3 offsets
 * within a 3-byte group: whatever surrounds the secret in a base64 blob, one of these appears.
 */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let o = 0; o < 3; o++) {
    const b64 = Buffer.concat([Buffer.alloc(o), bytes]).toString('base64');
    const start = Math.ceil((o * 8) / 6);
    const end = Math.floor(((o + bytes.length) * 8) / 6);
    const core = b64.slice(start, end);
    if (core.length >= 8) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

function secretMatchers(secret: string): RegExp[] {
  const forms = new Set<string>([secret]);
  const sources = new Set<string>([anyEncoding(secret)]);
  // base64 of the secret and of its once-encoded form (what a URL carries), themselves possibly
  // percent-encoded (+ / = are not URL-safe).
  forms.add(encodeURIComponent(secret));
  // The few characters around a core that mix in neighbouring bytes or padding go with it.
  const edge = '[A-Za-z0-9_-]{0,3}';
  const tail = `(?:[A-Za-z0-9_-]|${lit('+')}|${lit('/')}){0,3}(?:${lit('=')}){0,2}`;
  for (const f of forms) for (const core of base64Cores(Buffer.from(f, 'utf8'))) sources.add(`${edge}${anyEncoding(core)}${tail}`);
  return [...sources].map((src) => new RegExp(src, 'g'));
}

/** An encoded-to-any-depth form of one ASCII character, or the character itself. */
const lit = (ch: string) => `(?:${escapeRe(ch)}|${encodedByte(ch.charCodeAt(0).toString(16))})`;
const EQ = lit('=');
/** Where a query/form/connection-string key may start: text start, a separator, or an encoded one. */
const KEY_START = `(^|[?&;\\s"'<>]|${encodedByte('3f')}|${encodedByte('26')}|${encodedByte('3b')}|${encodedByte('20')})`;
/** A value runs until a separator (also encoded), whitespace, a quote or markup. */
const VALUE = `(?:(?!${encodedByte('26')}|${encodedByte('3b')}|${encodedByte('22')}|${encodedByte('20')})[^&;\\s"'<>])+`;
/** A connection string's value may hold `=`/`&` (base64 key, SAS) and ends at `;` only. */
const CS_VALUE = `(?:(?!${encodedByte('3b')}|${encodedByte('22')})[^;\\s"'<>])+`;

const SECRET_KEYS = [
  'sig',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'id_token',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Credential',
  'password',
];
const CS_KEYS = ['AccountKey', 'SharedAccessSignature', 'SharedAccessKey'];

const PATTERNS: Array<[RegExp, string]> = [
  ...SECRET_KEYS.map((k): [RegExp, string] => [new RegExp(`${KEY_START}(${escapeRe(k)}${EQ})${VALUE}`, 'gi'), '$1$2REDACTED']),
  ...CS_KEYS.map((k): [RegExp, string] => [new RegExp(`${KEY_START}(${escapeRe(k)}${EQ})${CS_VALUE}`, 'gi'), '$1$2REDACTED']),
  // JSON members, e.g. an echoed token response or request: "client_secret": "…"
  [new RegExp(`("(?:${[...SECRET_KEYS, ...CS_KEYS].map(escapeRe).join('|')})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*(")`, 'gi'), '$1REDACTED$2'],
  // auth headers an SDK may echo back
  [/(Authorization["']?\s*[:=]\s*["']?)(SharedKey|Bearer|Basic|AWS4-HMAC-SHA256)[^"'\n]*/gi, '$1$2 REDACTED'],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{16,}/g, '$1REDACTED'],
  // JSON Web Tokens (access/id tokens) wherever they appear: header.payload.signature
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, 'REDACTED'],
];

export function redact(text: string): string {
  let out = text;
  for (const re of currentMatchers()) out = out.replace(re, 'REDACTED');
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Mask a secret for display: keeps enough to recognise which one it is. */
export function mask(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '****';
  return `${value.slice(0, 4)}…${'*'.repeat(4)}`;
}
