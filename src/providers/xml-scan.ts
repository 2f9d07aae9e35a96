/**
 * The two text-scanning helpers the lean listing readers (azure-list-xml.ts, s3-list-xml.ts) share:
 * pure, allocation-light, for the flat, well-formed documents the storage services send (no
 * comments, CDATA or nesting of a tag inside itself).
 */
const ENTITY_RE = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY_RE, (_, hex: string | undefined, dec: string | undefined, name: string | undefined) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(parseInt(dec, 10)) : NAMED[name!],
  );
}

/**
 * Text of the first `<tag>` or `<tag attr…>` element in xml[from, to), undefined when absent or
 * self-closed (`<tag/>`, `<tag />`). `attrs` receives the raw attribute text when given.
 */
export function element(xml: string, tag: string, from: number, to: number, attrs?: { text: string }): string | undefined {
  const open = `<${tag}`;
  let i = xml.indexOf(open, from);
  while (i !== -1 && i < to) {
    const c = xml.charCodeAt(i + open.length);
    // '>' (62), ' ' (32) or '/' (47) ends the name; anything else is a longer tag (<NameX>).
    if (c === 62 || c === 32 || c === 47) break;
    i = xml.indexOf(open, i + 1);
  }
  if (i === -1 || i >= to) return undefined;
  const gt = xml.indexOf('>', i);
  if (gt === -1 || gt >= to) return undefined;
  if (xml.charCodeAt(gt - 1) === 47) return undefined; // <tag/>
  if (attrs) attrs.text = xml.slice(i + open.length, gt);
  const close = xml.indexOf(`</${tag}>`, gt);
  if (close === -1 || close > to) return undefined;
  return xml.slice(gt + 1, close);
}

/**
 * `s` as the matching entry of `known` (that very string) when there is one, else a flat copy: a
 * short value kept on every listed object (a tier, a status) must not hold its page's text alive
 * through a sliced string.
 */
export function interned(s: string, known: readonly string[]): string {
  for (const k of known) if (k === s) return k;
  return [...s].join('');
}
