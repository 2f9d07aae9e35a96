/**
 * Reads an Azure SAS the way people receive one: a full blob/container URL, a bare `?sv=…&sig=…`
 * token, Cloudflare's `azure://CONTAINER/PATH?sv=…` destination, or a connection string with
 * SharedAccessSignature=. Pure: no network, no clock. The signature itself is never kept.
 */
import { UsageError } from '../errors.js';

export type SasKind = 'account' | 'service' | 'user-delegation';

export interface SasInfo {
  kind: SasKind;
  /** sv */
  version?: string;
  /** ss letters spelled out (account SAS only) */
  services: string[];
  /** srt letters spelled out (account SAS only) */
  resourceTypes: string[];
  /** sr: c, b, bs, bv, d (service and user-delegation SAS) */
  resource?: string;
  /** Human scope: "container", "blob", "account", … */
  scope: string;
  /** sp, as given */
  permissions: string;
  start?: Date;
  expiry?: Date;
  /** sip: one address or "a-b" */
  ip?: string;
  /** spr: "https" or "https,http" */
  protocol?: string;
  /** si: a stored access policy on the container supplies missing fields */
  identifier?: string;
  /** sdd: directory depth for sr=d */
  directoryDepth?: number;
  /** ses: encryption scope */
  encryptionScope?: string;
  delegation?: { objectId?: string; tenantId?: string; start?: Date; expiry?: Date; service?: string; version?: string };
  /** Where the token came from when the input was a URL. */
  url?: { serviceUrl?: string; account?: string; container?: string; path?: string };
  /** The token without its signature, for display. */
  redacted: string;
  /** Query parameters this parser does not know (kept for --json). */
  unknown: string[];
}

const SERVICES: Record<string, string> = { b: 'blob', f: 'file', q: 'queue', t: 'table' };
const RESOURCE_TYPES: Record<string, string> = { s: 'service', c: 'container', o: 'object' };
const RESOURCES: Record<string, string> = {
  c: 'container',
  b: 'blob',
  bs: 'blob snapshot',
  bv: 'blob version',
  d: 'directory',
  s: 'file share',
  f: 'file',
};

/** Permission letters in the order Azure requires them in sp (racwdxyltfmeopiu). */
export const PERMISSION_ORDER = 'racwdxyltfmeopiu';
export const PERMISSIONS: Record<string, string> = {
  r: 'read',
  a: 'add',
  c: 'create',
  w: 'write',
  d: 'delete',
  x: 'delete previous versions',
  y: 'permanently delete',
  l: 'list',
  t: 'tags (read/write blob index tags)',
  f: 'find (filter blobs by tag)',
  m: 'move',
  e: 'execute',
  o: 'change owner',
  p: 'set permissions (Data Lake) / process messages (queue)',
  i: 'set immutability policy',
  u: 'update (queue/table)',
};
const WRITE_LETTERS = 'acw';
const DELETE_LETTERS = 'dxy';

const KNOWN = new Set([
  'sv',
  'ss',
  'srt',
  'sp',
  'st',
  'se',
  'sip',
  'spr',
  'sr',
  'si',
  'sdd',
  'ses',
  'sig',
  'skoid',
  'sktid',
  'skt',
  'ske',
  'sks',
  'skv',
  'saoid',
  'suoid',
  'scid',
  'sduoid',
  'rscc',
  'rscd',
  'rsce',
  'rscl',
  'rsct',
  'comp',
  'restype',
  'timeout',
  'snapshot',
  'versionid',
]);

function bad(message: string, hint = 'paste the whole SAS token or URL as you received it (quoted in your shell)'): UsageError {
  return new UsageError(message, { hint });
}

function time(v: string | null, name: string): Date | undefined {
  if (!v) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw bad(`malformed SAS: ${name}=${v} is not a time`);
  return d;
}

export function spellPermissions(letters: string): string[] {
  return [...letters].map((l) => PERMISSIONS[l] ?? `unknown permission "${l}"`);
}

/** Splits input into the query (token) and whatever the URL says about where it points. */
function splitInput(input: string): { query: string; url?: SasInfo['url'] } {
  const raw = input.trim().replace(/^["']|["']$/g, '');
  if (!raw) throw bad('empty SAS');
  // Connection string: …;SharedAccessSignature=sv=…&sig=…;BlobEndpoint=…
  const cs = /(?:^|;)\s*SharedAccessSignature=([^;]+)/i.exec(raw);
  if (cs) {
    const ep = /(?:^|;)\s*BlobEndpoint=([^;]+)/i.exec(raw)?.[1];
    return { query: cs[1], url: ep ? { serviceUrl: ep.replace(/\/+$/, '') } : undefined };
  }
  if (/^(https?|azure):\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw bad('malformed SAS URL: not a valid URL');
    }
    if (!u.search) throw bad('the URL has no SAS token (no ?sv=…&sig=… query)', 'ask for the SAS URL including the part after "?"');
    const segs = u.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    if (u.protocol === 'azure:') {
      // Cloudflare Logpush destination: azure://CONTAINER/PATH?SAS (host is the container)
      return { query: u.search.slice(1), url: { container: decodeURIComponent(u.hostname), path: segs.join('/') || undefined } };
    }
    const m = /^([a-z0-9]{3,24})\.blob\./i.exec(u.hostname);
    if (m)
      return {
        query: u.search.slice(1),
        url: {
          serviceUrl: `${u.protocol}//${u.host}`,
          account: m[1].toLowerCase(),
          container: segs[0],
          path: segs.slice(1).join('/') || undefined,
        },
      };
    // emulator / path-style: first segment is the account
    return {
      query: u.search.slice(1),
      url: {
        serviceUrl: `${u.protocol}//${u.host}/${segs[0] ?? ''}`,
        account: segs[0],
        container: segs[1],
        path: segs.slice(2).join('/') || undefined,
      },
    };
  }
  return { query: raw.replace(/^\?/, '') };
}

export function parseSas(input: string): SasInfo {
  const { query, url } = splitInput(input);
  if (!/(^|&)[a-z]+=/.test(query)) throw bad('not a SAS token: expected key=value pairs like sv=…&sp=…&sig=…');
  const q = new URLSearchParams(query);
  if (!q.get('sig')) throw bad('not a SAS token: no signature (sig=)');
  const version = q.get('sv') ?? undefined;
  if (!version) throw bad('malformed SAS: no signed version (sv=)');
  const ss = q.get('ss') ?? '';
  const srt = q.get('srt') ?? '';
  const sr = q.get('sr') ?? undefined;
  const skoid = q.get('skoid') ?? undefined;
  const si = q.get('si') ?? undefined;
  const se = time(q.get('se'), 'se');
  if (!se && !si) throw bad('malformed SAS: no expiry (se=) and no stored access policy (si=)');
  const kind: SasKind = skoid ? 'user-delegation' : ss || srt ? 'account' : 'service';
  if (kind === 'account' && (!ss || !srt)) throw bad('malformed SAS: an account SAS needs both ss= and srt=');
  for (const l of ss) if (!SERVICES[l]) throw bad(`malformed SAS: unknown service "${l}" in ss=${ss}`);
  for (const l of srt) if (!RESOURCE_TYPES[l]) throw bad(`malformed SAS: unknown resource type "${l}" in srt=${srt}`);
  const permissions = q.get('sp') ?? '';
  if (!permissions && !si) throw bad('malformed SAS: no permissions (sp=)');
  const sdd = q.get('sdd');
  const scope =
    kind === 'account'
      ? `account (${[...srt].map((l) => RESOURCE_TYPES[l]).join(', ')} level)`
      : sr
        ? (RESOURCES[sr] ?? `unknown resource "${sr}"`) + (sr === 'd' && sdd ? ` (depth ${sdd})` : '')
        : 'unknown (no sr=)';
  const redacted = query.replace(/(^|&)sig=[^&]*/i, '$1sig=REDACTED');
  return {
    kind,
    version,
    services: [...ss].map((l) => SERVICES[l]),
    resourceTypes: [...srt].map((l) => RESOURCE_TYPES[l]),
    resource: sr,
    scope,
    permissions,
    start: time(q.get('st'), 'st'),
    expiry: se,
    ip: q.get('sip') ?? undefined,
    protocol: q.get('spr') ?? undefined,
    identifier: si,
    directoryDepth: sdd ? Number(sdd) : undefined,
    encryptionScope: q.get('ses') ?? undefined,
    delegation: skoid
      ? {
          objectId: skoid,
          tenantId: q.get('sktid') ?? undefined,
          start: time(q.get('skt'), 'skt'),
          expiry: time(q.get('ske'), 'ske'),
          service: q.get('sks') ?? undefined,
          version: q.get('skv') ?? undefined,
        }
      : undefined,
    url,
    redacted,
    unknown: [...q.keys()].filter((k) => !KNOWN.has(k.toLowerCase())),
  };
}

export function hasAny(letters: string, set: string): boolean {
  return [...letters].some((l) => set.includes(l));
}
export const isWriting = (p: string) => hasAny(p, WRITE_LETTERS);
export const isDeleting = (p: string) => hasAny(p, DELETE_LETTERS);

/** Letters sorted into Azure's required order; unknown letters are an error. */
export function normalizePermissions(letters: string): string {
  const uniq = [...new Set(letters.replace(/[\s,]/g, '').toLowerCase())];
  for (const l of uniq) {
    if (!PERMISSIONS[l]) {
      throw new UsageError(`unknown SAS permission "${l}"`, {
        hint: `use letters from ${PERMISSION_ORDER}: r read, a add, c create, w write, d delete, l list, …`,
      });
    }
  }
  return uniq.sort((a, b) => PERMISSION_ORDER.indexOf(a) - PERMISSION_ORDER.indexOf(b)).join('');
}
