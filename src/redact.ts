/**
 * Secrets must never reach a terminal or a log: every string we print passes through redact().
 * Known secrets (keys, client secrets) are registered at runtime so that they are masked even
 * where they appear in an unexpected shape (e.g. inside an SDK error message).
 */
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  // SAS signature and other signed query values
  [/([?&;\s"']sig=)[^&\s"';]+/gi, '$1REDACTED'],
  [/(^sig=)[^&\s"';]+/gi, '$1REDACTED'],
  [/(X-Amz-Signature=)[^&\s"']+/gi, '$1REDACTED'],
  [/(X-Amz-Security-Token=)[^&\s"']+/gi, '$1REDACTED'],
  [/(X-Amz-Credential=)[^&\s"']+/gi, '$1REDACTED'],
  // connection strings
  [/(AccountKey=)[^;\s"']+/gi, '$1REDACTED'],
  [/(SharedAccessSignature=)[^;\s"']+/gi, '$1REDACTED'],
  // auth headers an SDK may echo back
  [/(Authorization["']?\s*[:=]\s*["']?)(SharedKey|Bearer|AWS4-HMAC-SHA256)[^"'\n]*/gi, '$1$2 REDACTED'],
  [/(client_secret=)[^&\s"']+/gi, '$1REDACTED'],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('REDACTED');
    // SDKs sometimes URL-encode the secret (SAS sig, keys with + / =)
    const enc = encodeURIComponent(secret);
    if (enc !== secret && out.includes(enc)) out = out.split(enc).join('REDACTED');
  }
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Mask a secret for display: keeps enough to recognise which one it is. */
export function mask(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '****';
  return `${value.slice(0, 4)}…${'*'.repeat(4)}`;
}
