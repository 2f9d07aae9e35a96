/**
 * Typed views over the raw records of the known vendors. `logs_raw` is every field as DuckDB
 * detected it; `logs` is the same rows with the vendor's well-known fields given their real
 * types (epoch seconds → TIMESTAMP, status codes → INTEGER, properties → JSON). Built from the
 * columns actually detected, so a field a vendor's export lacks is simply not retyped, and every
 * cast is a TRY_CAST: one odd value becomes NULL instead of failing the query. Timestamps are
 * TIMESTAMP in UTC (the session's TimeZone is UTC). Pure: columns in, SQL out.
 *
 * Every field of a view in force is a column of `logs`, with its type, whether or not the
 * selected records hold it (NULL where they do not): the same columns for a window with Vespa
 * access and connection logs mixed (each kind keeps its typed fields), for an empty window (so
 * `--out`, `--csv` and a misspelt column answer as over a full one), and in `--emit duckdb`, which
 * cannot look at the records first (emitDuckdbLogs: the same field types, without detection).
 */
import type { Entry } from '../filter.js';
import { sqlIdent } from './sql-text.js';

export type VendorView = 'vespa-access' | 'vespa-connection' | 'cloudflare-http' | 'amplitude-events';
export const VENDOR_VIEWS: VendorView[] = ['vespa-access', 'vespa-connection', 'cloudflare-http', 'amplitude-events'];

export interface Column {
  name: string;
  type: string;
}

export interface TypedView {
  /** The views in force, in VENDOR_VIEWS order. */
  views: VendorView[];
  /** Body of `CREATE VIEW logs AS …` over `logs_raw`. */
  select: string;
  /** SQL expression (over `logs`) for the record's own time, used by --clip (each view's, coalesced). */
  recordTime: string;
}

const isNumeric = (t: string) =>
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(t);

/**
 * A field's typed expression from its detected type; `type` undefined when it is not known (a
 * field the records lack, or --emit, which detects nothing): then a form that takes any input.
 */
type Expr = (col: string, type?: string) => string;
interface Field {
  /** The column's type in `logs`, whatever it was detected as. */
  type: string;
  expr: Expr;
}

/** Epoch seconds (possibly fractional) → TIMESTAMP, microsecond precision. */
const epochSeconds: Field = {
  type: 'TIMESTAMP',
  expr: (col, type) => {
    const x = type && isNumeric(type) ? `CAST(${col} AS DOUBLE)` : `TRY_CAST(${col} AS DOUBLE)`;
    return `make_timestamp(CAST(round(${x} * 1000000) AS BIGINT))`;
  },
};

/**
 * Cloudflare Logpush writes timestamps as `unixnano` (default), `unix` (seconds), `unixms`, or
 * RFC 3339 text (`rfc3339`, `rfc3339ms`, `rfc3339ns`); the magnitude tells the unit apart
 * (seconds < 1e11 until the year 5138, ms < 1e14, µs < 1e17).
 */
const anyTimestamp: Field = {
  type: 'TIMESTAMP',
  expr: (col, type) => {
    const fromNumber = (n: string) =>
      `CASE WHEN abs(${n}) >= 1e17 THEN make_timestamp(CAST(${n} / 1000 AS BIGINT)) WHEN abs(${n}) >= 1e14 THEN make_timestamp(CAST(${n} AS BIGINT)) WHEN abs(${n}) >= 1e11 THEN make_timestamp(CAST(${n} * 1000 AS BIGINT)) ELSE make_timestamp(CAST(round(${n} * 1000000) AS BIGINT)) END`;
    if (type && isNumeric(type)) return fromNumber(`CAST(${col} AS DOUBLE)`);
    if (type?.startsWith('TIMESTAMP')) return `CAST(${col} AS TIMESTAMP)`;
    if (type === undefined) {
      // Any type: its text is a number (in any notation) or a time.
      const text = `trim(CAST(${col} AS VARCHAR), '"')`;
      return `CASE WHEN TRY_CAST(${text} AS DOUBLE) IS NOT NULL THEN ${fromNumber(`TRY_CAST(${text} AS DOUBLE)`)} ELSE CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) END`;
    }
    const text = type === 'JSON' ? `trim(CAST(${col} AS VARCHAR), '"')` : `CAST(${col} AS VARCHAR)`;
    return `CASE WHEN regexp_full_match(${text}, '-?[0-9]+(\\.[0-9]+)?') THEN ${fromNumber(`TRY_CAST(${text} AS DOUBLE)`)} ELSE CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) END`;
  },
};

/** ISO 8601 text (any zone) → TIMESTAMP in UTC. */
const isoTimestamp: Field = {
  type: 'TIMESTAMP',
  expr: (col, type) => {
    if (type?.startsWith('TIMESTAMP')) return `CAST(${col} AS TIMESTAMP)`;
    const text = type === 'VARCHAR' ? `CAST(${col} AS VARCHAR)` : `trim(CAST(${col} AS VARCHAR), '"')`;
    return `CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP)`;
  },
};

const as = (target: string): Field => ({ type: target, expr: (col, type) => (type === target ? col : `TRY_CAST(${col} AS ${target})`) });
const int = as('INTEGER');
const big = as('BIGINT');
const dbl = as('DOUBLE');
const txt: Field = { type: 'VARCHAR', expr: (col, type) => (type === 'VARCHAR' ? col : `CAST(${col} AS VARCHAR)`) };
const json: Field = {
  type: 'JSON',
  expr: (col, type) => {
    if (type === 'JSON') return col;
    // A field that was always a JSON-encoded string stays as it was written; anything else becomes its JSON.
    if (type === undefined || type === 'VARCHAR' || type === 'NULL') return `CAST(${col} AS JSON)`;
    return `CAST(to_json(${col}) AS JSON)`;
  },
};

interface VendorSpec {
  fields: Record<string, Field>;
  /** The field holding the record's own time. */
  time: string;
}

const SPECS: Record<VendorView, VendorSpec> = {
  // Vespa's JSON access log: https://docs.vespa.ai/en/access-logging.html
  'vespa-access': {
    time: 'time',
    fields: {
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
  // Vespa's JSON connection log (ConnectionLog.CONTAINER.STAMP, one record per TCP/TLS connection):
  // `timestamp` is an ISO instant, `duration` seconds.
  'vespa-connection': {
    time: 'timestamp',
    fields: {
      id: txt,
      timestamp: isoTimestamp,
      duration: dbl,
      peerAddress: txt,
      peerPort: int,
      localAddress: txt,
      localPort: int,
      remoteAddress: txt,
      remotePort: int,
      httpBytesReceived: big,
      httpBytesSent: big,
      requests: big,
      responses: big,
    },
  },
  // Cloudflare Logpush http_requests dataset.
  'cloudflare-http': {
    time: 'EdgeStartTimestamp',
    fields: {
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
    fields: {
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
      event_properties: json,
      user_properties: json,
      group_properties: json,
      groups: json,
      data: json,
    },
  },
};

/**
 * The fields of several views, first view first. Two views may share a field only with the same
 * type (Vespa's access and connection logs both have `duration`, in seconds): checked by a test.
 */
export function viewFields(views: readonly VendorView[]): Array<[string, Field]> {
  // By name as DuckDB compares them, case-insensitively: access `localport`, connection `localPort`.
  const out = new Map<string, [string, Field]>();
  for (const v of order(views))
    for (const [name, f] of Object.entries(SPECS[v].fields)) if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), [name, f]);
  return [...out.values()];
}

function order(views: readonly VendorView[]): VendorView[] {
  return VENDOR_VIEWS.filter((v) => views.includes(v));
}

function recordTime(views: readonly VendorView[]): string {
  const times = [...new Set(order(views).map((v) => SPECS[v].time))].map(sqlIdent);
  return times.length === 1 ? times[0]! : `coalesce(${times.join(', ')})`;
}

/**
 * The typed `logs` over `logs_raw` for the views in force: each field detected in `columns` cast
 * from its detected type, every other field of the views added as a typed NULL. A view none of
 * whose fields was detected is not in force (a Cloudflare dataset other than http_requests),
 * unless nothing was detected at all (`columns` empty: no records), when every view asked for is.
 * Undefined when no view is in force.
 */
export function typedView(views: VendorView | readonly VendorView[], columns: readonly Column[]): TypedView | undefined {
  const asked = order(typeof views === 'string' ? [views] : views);
  // DuckDB's names are case-insensitive: `localPort` of a record is the field `localport`.
  const detected = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const inForce = detected.size ? asked.filter((v) => Object.keys(SPECS[v].fields).some((f) => detected.has(f.toLowerCase()))) : asked;
  if (!inForce.length) return undefined;
  const replace: string[] = [];
  const added: string[] = [];
  for (const [name, field] of viewFields(inForce)) {
    const found = detected.get(name.toLowerCase());
    if (!found) added.push(`CAST(NULL AS ${field.type}) AS ${sqlIdent(name)}`);
    else {
      const col = sqlIdent(found.name);
      const expr = field.expr(col, found.type);
      if (expr !== col) replace.push(`${expr} AS ${col}`);
    }
  }
  const star = replace.length ? `* REPLACE (${replace.join(', ')})` : '*';
  return {
    views: inForce,
    select: `SELECT ${[star, ...added].join(', ')} FROM logs_raw`,
    recordTime: recordTime(inForce),
  };
}

/**
 * `--emit duckdb`'s typed `logs` over `logs_raw`, for a DuckDB that reads the objects itself: the
 * records are not looked at first, so every field of the views is added by name (UNION ALL BY
 * NAME with an empty row of NULLs: a field the records hold keeps its detected type, one they
 * lack becomes a column) and cast with the expressions that take any input type. The same
 * columns and types as `archive query`'s `logs`.
 */
export function emitTypedLogs(views: readonly VendorView[]): string {
  const fields = viewFields(order(views));
  if (!fields.length) return 'SELECT * FROM logs_raw';
  const nulls = fields.map(([name]) => `NULL AS ${sqlIdent(name)}`).join(', ');
  const casts = fields.map(([name, f]) => `${f.expr(sqlIdent(name))} AS ${sqlIdent(name)}`).join(',\n  ');
  return `SELECT * REPLACE (\n  ${casts}\n) FROM (SELECT * FROM logs_raw UNION ALL BY NAME SELECT ${nulls} WHERE false)`;
}

/** The view an object's records call for (by layout and kind), if any. */
export function viewOf(e: Entry): VendorView | undefined {
  const { layout, kind } = e.facts;
  if (layout === 'vespa' && kind === 'access') return 'vespa-access';
  if (layout === 'vespa' && kind === 'connection') return 'vespa-connection';
  if (layout === 'cloudflare' && kind !== 'challenge') return 'cloudflare-http';
  if (layout === 'amplitude' && kind === 'events') return 'amplitude-events';
  return undefined;
}

export interface ViewChoice {
  views: VendorView[];
  /** Why no view is in force, for --schema (an object of no known vendor kind). */
  reason?: string;
}

/**
 * The views the selected objects call for: one per kind present (Vespa access and connection logs
 * mixed keep both). An object of no known kind (a generic file among them) means none, since its
 * fields would be cast by another's rules.
 */
export function viewsFor(entries: readonly Entry[]): ViewChoice {
  const views = new Set<VendorView>();
  for (const e of entries) {
    const v = viewOf(e);
    if (!v) return { views: [], reason: `${e.key} is not of a vendor kind with a typed view` };
    views.add(v);
  }
  return { views: order([...views]) };
}

/**
 * With no object to look at (an empty window), the views the layout and --kind promise, so an
 * empty result still has the typed columns: Vespa (its access and connection logs unless --kind
 * narrows), Cloudflare, Amplitude. Auto-detection has nothing to go by: no view.
 */
export function viewsForScope(layout: string | undefined, kinds: readonly string[]): VendorView[] {
  const asked = (k: string) => !kinds.length || kinds.includes(k);
  switch (layout) {
    case 'vespa':
      return order([...(asked('access') ? ['vespa-access' as const] : []), ...(asked('connection') ? ['vespa-connection' as const] : [])]);
    case 'cloudflare':
      return asked('logs') ? ['cloudflare-http'] : [];
    case 'amplitude':
      return asked('events') ? ['amplitude-events'] : [];
    default:
      return [];
  }
}
