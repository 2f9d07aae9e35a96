/**
 * Writing a statement's result: through DuckDB's own COPY (fast, native CSV/JSON/Parquet writers,
 * bounded memory) when the statement is a single query, else through the node API row by row.
 * Nothing is written to stdout or to --out until the statement has finished without error: COPY
 * goes to a file in the query's temp space, then streams to stdout or is renamed into place (a
 * failed query leaves no half-written --out file).
 */
import { createReadStream } from 'node:fs';
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { write } from '../output/writer.js';
import { renderTable, isNumericType } from './render-table.js';
import { sqlString } from './sql-text.js';

export type StdoutFormat = 'table' | 'json' | 'ndjson' | 'csv';
export type FileFormat = 'parquet' | 'csv' | 'ndjson' | 'json';

/** --out's format from its extension. Throws UsageError for any other. */
export function fileFormatFor(file: string): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.json') return 'json';
  throw new UsageError(`--out ${file}: unknown file type "${ext || '(none)'}"`, {
    hint: 'name the file .parquet, .csv, .ndjson (or .jsonl) or .json',
  });
}

function copyOptions(f: FileFormat): string {
  switch (f) {
    case 'parquet':
      return "FORMAT parquet, COMPRESSION 'zstd'";
    case 'csv':
      return 'FORMAT csv, HEADER true';
    case 'ndjson':
      return 'FORMAT json';
    case 'json':
      return 'FORMAT json, ARRAY true';
  }
}

/** Runs `query` (one SELECT-like statement, no trailing `;`) into `file` with DuckDB's writer. */
export async function copyQueryTo(conn: DuckDBConnection, query: string, file: string, f: FileFormat): Promise<void> {
  await conn.run(`COPY (SELECT * FROM (${query}\n)) TO ${sqlString(file)} (${copyOptions(f)})`);
}

export async function streamFileTo(file: string, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) await write(out, chunk as Buffer);
}

/**
 * `--out FILE` checked before anything is fetched: a known type, a folder that exists and can be
 * written, not a folder itself. (Found only at the end, a typo cost the whole query and was
 * reported against a temp path.)
 */
export async function checkOutFile(file: string): Promise<void> {
  fileFormatFor(file);
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const { access, constants } = await import('node:fs/promises');
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dir);
  } catch {
    throw new UsageError(`--out ${file}: the folder ${dir} does not exist`, {
      hint: 'create it first, or name a file in a folder that exists',
    });
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${file}: ${dir} is not a folder`, { hint: 'name a file in a folder' });
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${file}: the folder ${dir} is not writable`, { hint: 'choose a folder you can write to' });
  }
  try {
    if ((await stat(abs)).isDirectory())
      throw new UsageError(`--out ${file} is a directory`, { hint: 'name a file, e.g. --out result.parquet' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Moves a finished result file to the user's --out path atomically: a rename when on the same
 * file system, else a copy to a unique sibling then a rename.
 */
export async function placeOutFile(tmp: string, dest: string): Promise<void> {
  const abs = path.resolve(dest);
  try {
    const s = await stat(abs);
    if (s.isDirectory()) throw new UsageError(`--out ${dest} is a directory`, { hint: 'name a file, e.g. --out result.parquet' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(tmp, abs);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  const sibling = path.join(path.dirname(abs), `.${path.basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await copyFile(tmp, sibling);
    await rename(sibling, abs);
  } catch (err) {
    await rm(sibling, { force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Row-by-row writers for results COPY cannot wrap (a script whose last statement is not a query).

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return String(v);
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** One JSON value per cell, integers that the node API hands over as text written as numbers. */
function jsonRow(names: string[], types: string[], row: unknown[]): string {
  const parts = names.map((n, i) => {
    const v = row[i];
    const text = INTEGER.test(types[i]!) && typeof v === 'string' && /^-?\d+$/.test(v) ? v : JSON.stringify(v ?? null);
    return `${JSON.stringify(n)}:${text}`;
  });
  return `{${parts.join(',')}}`;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeReader(
  reader: DuckDBResultReader,
  format: StdoutFormat,
  out: NodeJS.WritableStream,
  maxTableRows: number,
  /** The terminal's width for the table (undefined off a terminal). */
  width?: number,
): Promise<{ rows: number; more: boolean }> {
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  if (format === 'table') {
    const rows = reader
      .getRows()
      .slice(0, maxTableRows)
      .map((r) => r.map(cellText));
    await write(out, renderTable({ columns: names, numeric: types.map(isNumericType), rows }, width));
    return { rows: rows.length, more: reader.currentRowCount > maxTableRows };
  }
  const rows = reader.getRowsJson();
  if (format === 'csv') {
    await write(out, `${names.map(csvCell).join(',')}\n`);
    for (const r of rows) await write(out, `${r.map(csvCell).join(',')}\n`);
  } else if (format === 'ndjson') {
    for (const r of rows) await write(out, `${jsonRow(names, types, r)}\n`);
  } else {
    await write(out, `[${rows.map((r) => jsonRow(names, types, r)).join(',\n')}]\n`);
  }
  return { rows: rows.length, more: false };
}
