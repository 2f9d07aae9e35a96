/**
 * The tables a query sees: `_objects` (one row per fetched object: its temp path and the facts
 * the listing knows), `logs_raw` (every record of every object, columns detected across all
 * files with union_by_name, plus _key/_time/_host/_kind joined in by file), and `logs` (the
 * vendor's typed view over it, clipped to the window with --clip).
 *
 * The detected columns are pinned into the view (read_json's `columns=`): each later bind of
 * `logs` (the view itself, the user's statement, COPY) would otherwise sample every file again.
 * A value whose type differs from the sample (DuckDB samples 20,480 rows per file) then fails
 * with a "JSON transform error"; the caller re-detects with sample_size=-1 (every row), which
 * widens such a column to its common supertype or JSON.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FetchedObject } from './fetch-objects.js';
import { sqlIdent, sqlString, sqlStringList } from './sql-text.js';
import { typedView, viewOf, type Column, type TypedView, type VendorView } from './vendor-views.js';
import type { TimeWindow } from '../filter.js';

export const FILE_COLUMN = '_archive_file';
export const EXTRA_COLUMNS = ['_key', '_time', '_host', '_kind'] as const;
const FILES_PER_SCAN = 4;

export interface SchemaOptions {
  /** Detect types over every row instead of a sample. */
  fullSample: boolean;
  /** The typed views asked for (vendor-views.ts); those with a field among the records are in force. */
  views: readonly VendorView[];
  /** Keep only records whose own time falls in the window (needs a vendor view with a time). */
  clip?: TimeWindow;
}

export interface DefinedSchema {
  columns: Column[];
  typed?: TypedView;
}

function tsLiteral(d: Date | undefined): string {
  return d ? `TIMESTAMP ${sqlString(d.toISOString().replace('T', ' ').replace('Z', ''))}` : 'NULL';
}

async function defineObjects(conn: DuckDBConnection, files: FetchedObject[]): Promise<void> {
  await conn.run('CREATE OR REPLACE TABLE _objects (path VARCHAR, _key VARCHAR, _time TIMESTAMP, _host VARCHAR, _kind VARCHAR)');
  for (let i = 0; i < files.length; i += 500) {
    const rows = files.slice(i, i + 500).map((f) => {
      const e = f.entry;
      return `(${sqlString(f.path)}, ${sqlString(e.key)}, ${tsLiteral(e.time)}, ${e.facts.host ? sqlString(e.facts.host) : 'NULL'}, ${e.facts.kind ? sqlString(e.facts.kind) : 'NULL'})`;
    });
    await conn.run(`INSERT INTO _objects VALUES ${rows.join(', ')}`);
  }
}

function readJson(files: FetchedObject[], extra: string): string {
  return `read_json(${sqlStringList(files.map((f) => f.path))}, format='newline_delimited', filename=${sqlString(FILE_COLUMN)}${extra})`;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'UBIGINT', 'HUGEINT', 'FLOAT', 'DOUBLE']);

/**
 * The type two detections of one field agree on: the same type, else BIGINT for two integer
 * types, DOUBLE for two numeric ones, and JSON for anything else (a field that is a number in
 * one file and a string or object in another keeps every value, as JSON). Pure.
 */
export function widenType(a: string, b: string): string {
  if (a === b) return a;
  if (a === 'NULL') return b;
  if (b === 'NULL') return a;
  if (INTEGER_TYPES.has(a) && INTEGER_TYPES.has(b)) return 'BIGINT';
  if (NUMERIC_TYPES.has(a) && NUMERIC_TYPES.has(b)) return 'DOUBLE';
  return 'JSON';
}

/** Merges per-batch detections in first-seen column order. Pure. */
export function mergeColumns(batches: Column[][]): Column[] {
  const out = new Map<string, string>();
  for (const batch of batches) for (const c of batch) out.set(c.name, out.has(c.name) ? widenType(out.get(c.name)!, c.type) : c.type);
  return [...out].map(([name, type]) => ({ name, type }));
}

/**
 * Columns and types DuckDB detects over the files (a sample per file, or every row). Detected a
 * few files at a time and merged here: one DESCRIBE over every file holds a read buffer per file
 * until it ends (20 objects of 14 MB: peak RSS 389 MiB with memory_limit=256MB; by 4: 203 MiB).
 */
export async function detectColumns(conn: DuckDBConnection, files: FetchedObject[], fullSample: boolean): Promise<Column[]> {
  const batches: Column[][] = [];
  for (let i = 0; i < files.length; i += FILES_PER_SCAN) {
    const reader = await conn.runAndReadAll(
      `DESCRIBE SELECT * FROM ${readJson(files.slice(i, i + FILES_PER_SCAN), `, union_by_name=true${fullSample ? ', sample_size=-1' : ''}`)}`,
    );
    batches.push(
      reader
        .getRowObjectsJson()
        .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
        .filter((c) => c.name !== FILE_COLUMN),
    );
  }
  return mergeColumns(batches);
}

function columnsParam(columns: Column[]): string {
  return `{${columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ')}}`;
}

/**
 * The files in groups of one record shape: one group per typed view (Vespa access logs, Vespa
 * connection logs, …) and one for the rest, in first-seen order. Each group's fields are detected
 * and read on their own, and the groups joined by UNION ALL BY NAME, which matches names the way
 * DuckDB's SQL does (case-insensitively): Vespa's access `localport` and connection `localPort`
 * become one column, where one read_json over both (JSON keys are case-sensitive) made two.
 */
function shapeGroups(files: FetchedObject[]): FetchedObject[][] {
  const groups = new Map<string, FetchedObject[]>();
  for (const f of files) {
    const k = viewOf(f.entry) ?? '';
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  return [...groups.values()];
}

/** `logs_raw` over one group of files, or undefined when they hold no field (only empty objects). */
async function groupRaw(conn: DuckDBConnection, files: FetchedObject[], fullSample: boolean): Promise<string | undefined> {
  const columns = await detectColumns(conn, files, fullSample);
  const own = columns.filter((c) => !(EXTRA_COLUMNS as readonly string[]).includes(c.name));
  if (!own.length) return undefined;
  const exclude = [FILE_COLUMN, ...columns.filter((c) => (EXTRA_COLUMNS as readonly string[]).includes(c.name)).map((c) => c.name)]
    .map(sqlIdent)
    .join(', ');
  // A few files per read_json, the scans joined by UNION ALL: one read_json over every file
  // holds a buffer per file until the whole scan ends (peak RSS grew by ~the decoded size of
  // each ≤32 MiB object: 20 × 14 MB objects → 390 MiB with memory_limit=256MB), while scans
  // of ≤4 files each finish and free theirs (same 20 objects: 172 MiB; 1 per scan: 180 MiB,
  // but thousands of one-file scans exhaust the memory limit with their 32 MiB buffers).
  const cols = `, columns=${columnsParam(columns)}`;
  const arms: string[] = [];
  for (let i = 0; i < files.length; i += FILES_PER_SCAN) {
    arms.push(
      `SELECT r.* EXCLUDE (${exclude}), o._key, o._time, o._host, o._kind FROM ${readJson(files.slice(i, i + FILES_PER_SCAN), cols)} r JOIN _objects o ON r.${sqlIdent(FILE_COLUMN)} = o.path`,
    );
  }
  return arms.join('\nUNION ALL ');
}

export async function defineSchema(conn: DuckDBConnection, files: FetchedObject[], o: SchemaOptions): Promise<DefinedSchema> {
  await defineObjects(conn, files);
  const groups: string[] = [];
  for (const g of shapeGroups(files)) {
    const raw = await groupRaw(conn, g, o.fullSample);
    if (raw) groups.push(raw);
  }
  if (groups.length) {
    await conn.run(
      `CREATE OR REPLACE VIEW logs_raw AS ${groups.length === 1 ? groups[0] : groups.map((g) => `(${g})`).join('\nUNION ALL BY NAME\n')}`,
    );
  } else {
    // No objects (or only empty ones): an empty table with the extra columns, so queries that
    // only count or group by _key still answer.
    await conn.run('CREATE OR REPLACE VIEW logs_raw AS SELECT _key, _time, _host, _kind FROM _objects WHERE false');
  }
  const raw = (await conn.runAndReadAll('DESCRIBE logs_raw'))
    .getRowObjectsJson()
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .filter((c) => !(EXTRA_COLUMNS as readonly string[]).includes(c.name));
  // No records at all: the views asked for still give `logs` their typed columns (all NULL).
  const typed = o.views.length ? typedView(o.views, raw) : undefined;
  let body = typed ? typed.select : 'SELECT * FROM logs_raw';
  if (o.clip && (o.clip.since || o.clip.until) && typed) {
    const conds: string[] = [];
    if (o.clip.since) conds.push(`${typed.recordTime} >= ${tsLiteral(o.clip.since)}`);
    if (o.clip.until) conds.push(`${typed.recordTime} < ${tsLiteral(o.clip.until)}`);
    body = `SELECT * FROM (${body}) WHERE ${conds.join(' AND ')}`;
  }
  await conn.run(`CREATE OR REPLACE VIEW logs AS ${body}`);
  const described = await conn.runAndReadAll('DESCRIBE logs');
  return { columns: described.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) })), typed };
}
