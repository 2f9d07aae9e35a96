/**
 * `archive query` as a library call: select (pruned listing), fetch (provider layer), define the
 * tables (schema.ts), run the SQL on DuckDB, write the result; with the recovery rules of the
 * issue: a type change past DuckDB's sample → re-detect over every row; a corrupt object → named,
 * exit 5 (or skipped with --skip-bad, still exit 5); no object → empty result, exit 0.
 * Everything it creates lives in one TempSpace, removed whatever happens.
 */
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';
import type { StorageProvider } from '../providers/types.js';
import { timeWindow } from '../filter.js';
import { leftOutNote } from '../listing.js';
import {
  ArchiveError,
  ArchivedError,
  ExitCode,
  InterruptedError,
  PartialFailureError,
  UsageError,
  errorForExitCode,
  objectFailureExitCode,
} from '../errors.js';
import type { Entry } from '../filter.js';
import { TempSpace } from './temp-space.js';
import { selectObjects, type SelectOptions } from './select-objects.js';
import { fetchObjects, type FetchedObject } from './fetch-objects.js';
import { Engine, loadDuckDB } from './engine.js';
import { defineSchema, type DefinedSchema } from './schema.js';
import { classifySqlError, oneLineSqlMessage, sqlHints } from './sql-errors.js';
import { decodeToPlain, findBadObjects, inUserTerms } from './recover.js';
import { copyQueryTo, fileFormatFor, placeOutFile, streamFileTo, writeReader, type FileFormat, type StdoutFormat } from './output.js';
import { renderTable } from './render-table.js';
import { stripTrailingSemicolons } from './sql-text.js';
import { viewsFor, type VendorView } from './vendor-views.js';

export interface QueryRequest {
  provider: StorageProvider;
  prefix: string;
  select: SelectOptions;
  /** The SQL; absent with schemaOnly. */
  sql?: string;
  schemaOnly?: boolean;
  clip?: boolean;
  /** A vendor view to force, 'none' for the raw records, undefined to choose from the objects' kinds. */
  view?: VendorView | 'none';
  /** The views an empty selection gets (from the layout and --kind: vendor-views.ts viewsForScope). */
  emptyViews?: VendorView[];
  format: StdoutFormat;
  outFile?: string;
  skipBad?: boolean;
  memoryLimit: string;
  concurrency: number;
  threads?: number;
  maxTableRows?: number;
  signal: AbortSignal;
  out: NodeJS.WritableStream;
  /** Columns of the terminal the table is fitted to (undefined off a terminal). */
  width?: number;
  /** A line for stderr (notes, skipped objects). */
  note: (line: string) => void;
  progress?: {
    planned(files: number, bytes: number): void;
    addBytes(n: number): void;
    fileDone(): void;
    stop(): void;
  };
  /** Where the temp space goes (default: the OS temp dir). */
  tempParent?: string;
  /**
   * Told the archived objects left out (listed as archived, or refused as such when fetched) once
   * the fetch is done; returns the error that ends the run after the answer (exit 5), if any.
   */
  onArchived?: (entries: Entry[]) => ArchiveError | undefined;
}

export interface QueryResult {
  objects: number;
  bytes: number;
  skipped: number;
  fullSample: boolean;
  decodedByArchive: number;
  /** The typed views asked for (those in force are in the schema). */
  views: VendorView[];
}

function sqlFailure(message: string, files: FetchedObject[]): ArchiveError {
  const m = inUserTerms(message, files);
  const hints = sqlHints(m);
  return new UsageError(`SQL: ${oneLineSqlMessage(m)}`, {
    hint: `${hints.length ? `${hints.join('; ')}; ` : ''}the table is \`logs\` (\`logs_raw\` untyped); \`archive query LOCATION --schema\` lists its columns`,
  });
}

async function writeSchema(schema: DefinedSchema, r: QueryRequest): Promise<void> {
  const rows = schema.columns.map((c) => [c.name, c.type]);
  if (r.format === 'table') await writeTo(r.out, renderTable({ columns: ['column', 'type'], numeric: [false, false], rows }, r.width));
  else if (r.format === 'csv')
    await writeTo(
      r.out,
      `${['column,type', ...rows.map((x) => x.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','))].join('\n')}\n`,
    );
  else if (r.format === 'ndjson') await writeTo(r.out, rows.map(([n, t]) => `${JSON.stringify({ column: n, type: t })}\n`).join(''));
  else {
    const views = schema.typed?.views ?? [];
    await writeTo(r.out, `${JSON.stringify({ vendor: views[0] ?? null, views, columns: schema.columns }, null, 2)}\n`);
  }
}

async function writeTo(out: NodeJS.WritableStream, text: string): Promise<void> {
  const { write } = await import('../output/writer.js');
  await write(out, text);
}

/** Runs the user's statements; the last one's result goes to stdout or --out. */
async function execute(conn: DuckDBConnection, sql: string, r: QueryRequest, space: TempSpace): Promise<void> {
  const { StatementType } = await loadDuckDB();
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0)
    throw new UsageError('no SQL statement given', { hint: 'e.g. archive query LOCATION "SELECT count(*) FROM logs"' });
  for (let i = 0; i < extracted.count - 1; i++) await (await extracted.prepare(i)).run();
  const last = await extracted.prepare(extracted.count - 1);
  const single = extracted.count === 1 && last.statementType === StatementType.SELECT;
  const fileFormat: FileFormat | undefined = r.outFile ? fileFormatFor(r.outFile) : r.format === 'table' ? undefined : r.format;
  if (single && fileFormat) {
    const tmp = path.join(space.results, `result.${fileFormat}`);
    const query = stripTrailingSemicolons(sql);
    try {
      await copyQueryTo(conn, query, tmp, fileFormat);
    } catch (err) {
      // COPY (…) takes SELECT/WITH/VALUES; DESCRIBE, SUMMARIZE, SHOW, PIVOT… parse only as a subquery.
      if (!/^Parser Error/.test((err as Error).message)) throw err;
      await copyQueryTo(conn, `SELECT * FROM (${query}\n)`, tmp, fileFormat);
    }
    if (r.outFile) await placeOutFile(tmp, r.outFile);
    else await streamFileTo(tmp, r.out);
    return;
  }
  if (r.outFile) {
    if (fileFormat === 'parquet')
      throw new UsageError('--out FILE.parquet needs the SQL to be one query (SELECT/WITH/FROM …)', {
        hint: 'run setup statements in a WITH clause, or write .csv/.ndjson',
      });
  }
  const max = r.maxTableRows ?? 1000;
  const reader = r.format === 'table' && !r.outFile ? await last.streamAndReadUntil(max + 1) : await last.runAndReadAll();
  if (r.outFile) {
    const { createWriteStream } = await import('node:fs');
    const tmp = path.join(space.results, 'result.out');
    const ws = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    await writeReader(reader, fileFormat === 'csv' ? 'csv' : fileFormat === 'json' ? 'json' : 'ndjson', ws, max);
    await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
    await placeOutFile(tmp, r.outFile);
    return;
  }
  const shown = await writeReader(reader, r.format, r.out, max, r.width);
  if (shown.more) r.note(`(first ${max} rows shown; use --csv, --ndjson or --out FILE for all of them)`);
}

/** README "Exit codes": 5 however many failed; 3/4 only when every object was denied / gone alike. */
function fetchFailure(failed: Array<{ entry: { key: string }; error: ArchiveError }>, total: number): ArchiveError {
  const first = failed[0]!.error;
  if (first instanceof InterruptedError) return first;
  const code = objectFailureExitCode(
    failed.map((f) => f.error.exitCode),
    total,
  );
  if (code !== ExitCode.PARTIAL && failed.length === 1) return first;
  return errorForExitCode(
    code,
    `${failed.length === total && total > 1 ? 'all ' : ''}${failed.length}${failed.length === total ? '' : ` of ${total}`} object${total === 1 ? '' : 's'} could not be fetched, first: ${first.message}`,
    {
      serviceCode: first.serviceCode,
      hint:
        code === ExitCode.PARTIAL
          ? 'nothing was answered; re-run, or add --skip-bad to answer from the other objects'
          : (first.hint ?? 'nothing was answered'),
    },
  );
}

/**
 * The views of an empty selection: what the location's other records call for (a sample of them),
 * else what the layout and --kind promise.
 */
function emptyChoice(sampled: { views: VendorView[]; records: number } | undefined, fromScope: VendorView[] | undefined) {
  if (sampled?.records) return { views: sampled.views, reason: 'the records under the location are of no vendor kind with a typed view' };
  return {
    views: fromScope ?? [],
    reason: 'no object in the window to go by, and the layout names no vendor (--layout or --view does)',
  };
}

export async function runQuery(r: QueryRequest): Promise<QueryResult> {
  const window = timeWindow(r.select, r.select.now);
  if (r.clip && !window.since && !window.until) throw new UsageError('--clip needs a window', { hint: 'add --since and/or --until' });
  const selection = await selectObjects(r.provider, r.prefix, r.select);
  if (selection.duplicates.length)
    r.note(
      `${selection.duplicates.length} duplicate object${selection.duplicates.length === 1 ? '' : 's'} skipped (--dedupe): ${selection.duplicates.map((d) => d.dropped.key).join(', ')}`,
    );
  const choice =
    r.view === 'none'
      ? { views: [], reason: '--view none' }
      : r.view
        ? { views: [r.view] }
        : selection.entries.length
          ? viewsFor(selection.entries)
          : emptyChoice(selection.sampled, r.emptyViews);
  const views: VendorView[] = choice.views;
  if (r.clip && !views.length)
    throw new UsageError('--clip needs records with a known time field', {
      hint: 'it works on Vespa access logs, Cloudflare http_requests and Amplitude events; pick one with --view, or filter on your own field in SQL',
    });
  // --schema promises the types a query will use: detect over every row, not a sample.
  const result: QueryResult = { objects: 0, bytes: 0, skipped: 0, fullSample: !!r.schemaOnly, decodedByArchive: 0, views };
  const leftOut = leftOutNote(selection.leftOut);
  if (leftOut) r.note(leftOut);
  if (!selection.entries.length && !selection.archived.length) r.note('no objects match the location and filters: the result is empty');

  for (const d of TempSpace.reclaimDead(r.tempParent))
    r.note(`removed the temp dir of a query that ended without cleaning up${d.pid ? ` (pid ${d.pid})` : ''}: ${d.dir}`);
  const space = TempSpace.create(r.tempParent);
  let engine: Engine | undefined;
  // DuckDB's interrupt only cancels the statement running at that instant; Ctrl-C between two
  // statements (or before the engine is open) was lost and the next statement ran to its end
  // (seen in the Ctrl-C test on Node 24), so keep interrupting until we stop.
  let interrupter: NodeJS.Timeout | undefined;
  const onAbort = () => {
    engine?.interrupt();
    interrupter = setInterval(() => engine?.interrupt(), 50);
  };
  r.signal.addEventListener('abort', onAbort, { once: true });
  // A second Ctrl-C calls process.exit(); DuckDB's clean-up at exit waits for a running
  // statement (seen: a process stuck in exit), so cancel it on the way out as well.
  const onExit = () => engine?.interrupt();
  process.once('exit', onExit);
  try {
    r.progress?.planned(
      selection.entries.length,
      selection.entries.reduce((n, e) => n + e.size, 0),
    );
    const { fetched, failed } = await fetchObjects(r.provider, selection.entries, space.objects, {
      concurrency: r.concurrency,
      signal: r.signal,
      onBytes: (n) => r.progress?.addBytes(n),
      onObject: () => r.progress?.fileDone(),
    });
    r.progress?.stop();
    const archived = [...selection.archived];
    const archivedFetch = failed.filter((f) => f.error instanceof ArchivedError);
    for (const f of archivedFetch) archived.push(f.entry);
    if (archivedFetch.length) failed.splice(0, failed.length, ...failed.filter((f) => !(f.error instanceof ArchivedError)));
    const archivedError = archived.length ? r.onArchived?.(archived) : undefined;
    const skipped: string[] = [];
    if (failed.length) {
      if (!r.skipBad) throw fetchFailure(failed, selection.entries.length);
      for (const f of failed) {
        r.note(`skipped ${f.entry.key}: ${f.error.message}`);
        skipped.push(f.entry.key);
      }
    }
    let files = fetched;
    result.objects = files.length;
    result.bytes = files.reduce((n, f) => n + f.entry.size, 0);
    engine = await Engine.open({ memoryLimit: r.memoryLimit, tempDirectory: space.spill, threads: r.threads });
    if (r.signal.aborted) throw new InterruptedError('interrupted');
    const conn = engine.connection;
    let decodedAll = false;
    for (;;) {
      r.signal.throwIfAborted();
      try {
        const schema = await defineSchema(conn, files, { fullSample: result.fullSample, views, clip: r.clip ? window : undefined });
        if (r.schemaOnly) {
          // --schema says which typed views are in force, and why none is.
          const inForce = schema.typed?.views ?? [];
          r.note(
            inForce.length
              ? `typed view${inForce.length === 1 ? '' : 's'}: ${inForce.join(', ')}${r.view ? ' (--view)' : ' (from the objects’ kinds; --view overrides)'}`
              : `no typed view: ${choice.reason ?? 'none of the views’ fields is among the records'}; \`logs\` is \`logs_raw\``,
          );
          await writeSchema(schema, r);
        } else await execute(conn, r.sql ?? '', r, space);
        break;
      } catch (err) {
        if (err instanceof ArchiveError) throw err;
        if (r.signal.aborted) throw new InterruptedError('interrupted');
        const message = ((err as Error)?.message ?? String(err)).replace(/^Failed to extract statements: /, '');
        const kind = classifySqlError(message);
        // An empty result has the same columns as a full one (the typed view's), and the same errors.
        if (kind === 'usage') throw sqlFailure(message, files);
        if (kind === 'schema' && !result.fullSample) {
          result.fullSample = true; // a type changed past the sample: detect over every row
          continue;
        }
        if (kind === 'data') {
          const bad = await findBadObjects(message, files, r.signal);
          if (bad.length) {
            if (!r.skipBad) {
              throw new PartialFailureError(`corrupt object ${bad[0]!.object.entry.key}: ${inUserTerms(bad[0]!.reason, files)}`, {
                hint: 'nothing was answered; add --skip-bad to answer from the other objects (exit 5 all the same), or check it with `archive pull`',
              });
            }
            const drop = new Set(bad.map((b) => b.object));
            for (const b of bad) {
              r.note(`skipped corrupt object ${b.object.entry.key}: ${inUserTerms(b.reason, files)}`);
              skipped.push(b.object.entry.key);
            }
            files = files.filter((f) => !drop.has(f));
            continue;
          }
          if (!decodedAll) {
            // Our decoders read every object but DuckDB did not (e.g. a zstd window past its limit):
            // hand DuckDB plain files instead.
            decodedAll = true;
            const plain: FetchedObject[] = [];
            for (const f of files) {
              if (f.codec !== 'none') result.decodedByArchive++;
              plain.push(await decodeToPlain(f, r.signal));
            }
            files = plain;
            continue;
          }
        }
        if (kind === 'interrupted') throw new InterruptedError('interrupted');
        if (kind === 'memory')
          throw new ArchiveError(`DuckDB ran out of memory: ${message.split('\n')[0]}`, {
            hint: `raise --memory-limit (now ${r.memoryLimit}); spill files go to the OS temp dir (TMPDIR)`,
          });
        throw new ArchiveError(`query failed: ${inUserTerms(message, files).split('\n')[0]}`, { cause: err });
      }
    }
    result.skipped = skipped.length;
    result.objects = files.length;
    if (skipped.length) {
      throw new PartialFailureError(
        `answered from ${files.length} of ${files.length + skipped.length} objects; ${skipped.length} skipped (see above)`,
        { hint: 're-run without --skip-bad once the skipped objects are fixed' },
      );
    }
    if (archivedError) throw archivedError;
    return result;
  } catch (err) {
    if (r.signal.aborted && !(err instanceof InterruptedError)) throw new InterruptedError('interrupted');
    throw err;
  } finally {
    r.signal.removeEventListener('abort', onAbort);
    if (interrupter) clearInterval(interrupter);
    process.off('exit', onExit);
    r.progress?.stop();
    engine?.close();
    space.remove();
  }
}
