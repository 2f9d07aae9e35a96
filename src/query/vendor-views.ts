/**
 * Typed views over the raw records of the known vendors. `logs_raw` is every field as DuckDB
 * detected it; `logs` is the same rows with the vendor's well-known fields given their real
 * types (epoch seconds → TIMESTAMP, status codes → INTEGER, properties → JSON). Built from the
 * columns actually detected, so a field a vendor's export lacks is simply not retyped, and every
 * cast is a TRY_CAST: one odd value becomes NULL instead of failing the query. Timestamps are
 * TIMESTAMP in UTC (the session's TimeZone is UTC). Pure: columns in, SQL out.
 */
import type { Entry } from '../filter.js';
import { sqlIdent } from './sql-text.js';

export type VendorView = 'vespa-access' | 'cloudflare-http' | 'amplitude-events';
export const VENDOR_VIEWS: VendorView[] = ['vespa-access', 'cloudflare-http', 'amplitude-events'];

export interface Column {
  name: string;
  type: string;
}

export interface TypedView {
  vendor: VendorView;
  /** Body of `CREATE VIEW logs AS …` over `logs_raw`. */
  select: string;
  /** SQL expression (over `logs`) for the record's own time, used by --clip. */
  recordTime?: string;
}

const isNumeric = (t: string) =>
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(t);
const isText = (t: string) => t === 'VARCHAR' || t === 'JSON';

/** Epoch seconds (possibly fractional) → TIMESTAMP, microsecond precision. */
function epochSeconds(col: string, type: string): string {
  const x = isNumeric(type) ? `CAST(${col} AS DOUBLE)` : `TRY_CAST(${col} AS DOUBLE)`;
  return `make_timestamp(CAST(round(${x} * 1000000) AS BIGINT))`;
}

/**
 * Cloudflare Logpush writes timestamps as `unixnano` (default), `unix` (seconds), `unixms`, or
 * RFC 3339 text (`rfc3339`, `rfc3339ms`, `rfc3339ns`); the magnitude tells the unit apart
 * (seconds < 1e11 until the year 5138, ms < 1e14, µs < 1e17).
 */
function anyTimestamp(col: string, type: string): string {
  const fromNumber = (n: string) =>
    `CASE WHEN abs(${n}) >= 1e17 THEN make_timestamp(CAST(${n} / 1000 AS BIGINT)) WHEN abs(${n}) >= 1e14 THEN make_timestamp(CAST(${n} AS BIGINT)) WHEN abs(${n}) >= 1e11 THEN make_timestamp(CAST(${n} * 1000 AS BIGINT)) ELSE make_timestamp(CAST(round(${n} * 1000000) AS BIGINT)) END`;
  if (isNumeric(type)) return fromNumber(`CAST(${col} AS DOUBLE)`);
  if (type.startsWith('TIMESTAMP')) return `CAST(${col} AS TIMESTAMP)`;
  const text = type === 'JSON' ? `trim(CAST(${col} AS VARCHAR), '"')` : `CAST(${col} AS VARCHAR)`;
  return `CASE WHEN regexp_full_match(${text}, '-?[0-9]+(\\.[0-9]+)?') THEN ${fromNumber(`TRY_CAST(${text} AS DOUBLE)`)} ELSE CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) END`;
}

function isoTimestamp(col: string, type: string): string {
  if (type.startsWith('TIMESTAMP')) return `CAST(${col} AS TIMESTAMP)`;
  const text = type === 'JSON' ? `trim(CAST(${col} AS VARCHAR), '"')` : `CAST(${col} AS VARCHAR)`;
  return `CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP)`;
}

function asType(col: string, type: string, target: string): string {
  if (type === target) return col;
  return `TRY_CAST(${col} AS ${target})`;
}

function asJson(col: string, type: string): string {
  if (type === 'JSON') return col;
  // A field that was always a JSON-encoded string stays as it was written.
  if (type === 'VARCHAR') return `CAST(${col} AS JSON)`;
  return `CAST(to_json(${col}) AS JSON)`;
}

type Rule = (col: string, type: string) => string;
interface VendorSpec {
  rules: Record<string, Rule>;
  time: string;
}

const int: Rule = (c, t) => asType(c, t, 'INTEGER');
const big: Rule = (c, t) => asType(c, t, 'BIGINT');
const dbl: Rule = (c, t) => asType(c, t, 'DOUBLE');
const txt: Rule = (c, t) => (t === 'VARCHAR' ? c : isText(t) ? `CAST(${c} AS VARCHAR)` : `CAST(${c} AS VARCHAR)`);

const SPECS: Record<VendorView, VendorSpec> = {
  // Vespa's JSON access log: https://docs.vespa.ai/en/access-logging.html
  'vespa-access': {
    time: 'time',
    rules: {
      time: epochSeconds,
      duration: dbl,
      code: int,
      responsesize: big,
      requestsize: big,
      localport: int,
      peerport: int,
      uri: txt,
      method: txt,
      ip: txt,
      host: txt,
      scheme: txt,
      version: txt,
      agent: txt,
      peeraddr: txt,
    },
  },
  // Cloudflare Logpush http_requests dataset.
  'cloudflare-http': {
    time: 'EdgeStartTimestamp',
    rules: {
      EdgeStartTimestamp: anyTimestamp,
      EdgeEndTimestamp: anyTimestamp,
      EdgeResponseStatus: int,
      OriginResponseStatus: int,
      EdgeResponseBytes: big,
      ClientRequestBytes: big,
      OriginResponseDurationMs: dbl,
      ClientRequestPath: txt,
      ClientRequestHost: txt,
      ClientRequestMethod: txt,
      ClientRequestURI: txt,
      ClientIP: txt,
      ClientCountry: txt,
      RayID: txt,
    },
  },
  // Amplitude's export schema (https://www.docs.developers.amplitude.com/data/destinations/azure-blob-storage/).
  'amplitude-events': {
    time: 'event_time',
    rules: {
      event_time: isoTimestamp,
      server_upload_time: isoTimestamp,
      server_received_time: isoTimestamp,
      client_event_time: isoTimestamp,
      client_upload_time: isoTimestamp,
      processed_time: isoTimestamp,
      user_creation_time: isoTimestamp,
      event_type: txt,
      user_id: txt,
      device_id: txt,
      event_id: big,
      session_id: big,
      event_properties: asJson,
      user_properties: asJson,
      group_properties: asJson,
      groups: asJson,
      data: asJson,
    },
  },
};

/**
 * The typed `logs` for a vendor, or undefined when none of its fields were detected (then `logs`
 * is `logs_raw` unchanged).
 */
export function typedView(vendor: VendorView, columns: Column[]): TypedView | undefined {
  const spec = SPECS[vendor];
  const replace: string[] = [];
  let hasTime = false;
  for (const c of columns) {
    const rule = spec.rules[c.name];
    if (!rule) continue;
    const expr = rule(sqlIdent(c.name), c.type);
    if (c.name === spec.time) hasTime = true;
    if (expr !== sqlIdent(c.name)) replace.push(`${expr} AS ${sqlIdent(c.name)}`);
  }
  if (!replace.length && !hasTime) return undefined;
  return {
    vendor,
    select: replace.length ? `SELECT * REPLACE (${replace.join(', ')}) FROM logs_raw` : 'SELECT * FROM logs_raw',
    recordTime: hasTime ? sqlIdent(spec.time) : undefined,
  };
}

/**
 * The vendor view the selected objects call for: every object must come from one vendor layout
 * (and, for Vespa, be an access log). Mixed selections get no typed view.
 */
export function vendorFor(entries: Entry[]): VendorView | undefined {
  let found: VendorView | undefined;
  for (const e of entries) {
    const v =
      e.facts.layout === 'vespa' && e.facts.kind === 'access'
        ? 'vespa-access'
        : e.facts.layout === 'cloudflare' && e.facts.kind !== 'challenge'
          ? 'cloudflare-http'
          : e.facts.layout === 'amplitude' && e.facts.kind === 'events'
            ? 'amplitude-events'
            : undefined;
    if (!v || (found && v !== found)) return undefined;
    found = v;
  }
  return found;
}
