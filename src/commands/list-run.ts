/**
 * `archive list LOCATION`: the run behind src/commands/list.ts. Everything a plain listing needs is
 * imported statically, so it loads as one module graph when the command runs: as a chain of
 * dynamic imports (formats, then the listing, then the target, then the SAS check, each waiting
 * for the one before) the same modules took ~30 ms of a 10-key listing's ~100 ms above bare Node
 * (load-hook timestamps, Node 20). What only some runs need stays behind a dynamic import: colour
 * (a terminal), the plan printer (--explain/--verbose), URLs, --summary/--histogram.
 */
import type { ChalkInstance } from 'chalk';
import type { Entry } from '../filter.js';
import type { Io } from '../io.js';
import { entryToJson, listEntries, nothingUnder, prefixIsEmpty, type ListOptions, type ListTotals } from '../listing.js';
import { kindClass } from '../layouts/kinds.js';
import { PartialFailureError, UsageError } from '../errors.js';
import { escapeText } from '../output/escape.js';
import { formatBytes, formatTime, pad } from '../output/format.js';
import { resolveOutputFormat, type OutputFlags } from '../output/output-format.js';
import { parsePositiveInt } from '../output/size.js';
import { fitWidths, renderHeader, renderRow, type Column } from '../output/table.js';
import { stdoutColumns, stdoutIsTTY } from '../output/terminal.js';
import { LineWriter } from '../output/writer.js';
import { open, targetFor } from './target-open.js';
import { tierLabel } from '../providers/cold-state.js';
import { printable } from '../restore/text.js';
import type { TargetFlags } from './options.js';

export interface ListFlags extends TargetFlags, ListOptions, OutputFlags {
  long?: boolean;
  totals?: boolean;
  urls?: boolean;
  paths?: boolean;
  explain?: boolean;
  sort?: 'time' | 'key' | 'size';
  limit?: string;
  summary?: boolean;
  histogram?: boolean | string;
}

/**
 * Off a terminal: one full key per row, fixed columns, as scripts have parsed it since 0.1. Keys,
 * hosts and ETags escaped (output/escape.ts) like every table: -o ndjson/csv keep them exact.
 */
function row(e: Entry, long: boolean): string {
  const cols = [
    pad(formatTime(e.time), 19),
    pad(formatBytes(e.size), 10, true),
    pad(e.facts.kind ?? '', 10),
    pad(escapeText(e.facts.host ?? ''), 0),
  ];
  if (long)
    cols.push(pad(formatTime(e.lastModified), 19), pad(escapeText(e.etag ?? ''), 34), pad(tierCell(e).replace(/ /g, '') || '-', 12));
  cols.push(escapeText(shownKey(e, e.key)));
  return cols.filter((c, i) => i !== 3 || c !== '').join('  ');
}

/** The TIER of --long: `Hot`, `Archive → Hot (rehydrating, High)`, `GLACIER (restored until …)`; escaped, it comes from the service. */
function tierCell(e: Entry): string {
  return printable(tierLabel(e, e.cold));
}

/** An ADLS Gen2 directory stub has no trailing slash of its own; show it as the folder it is. */
function shownKey(e: Entry, key: string): string {
  return e.isFolder && !key.endsWith('/') ? `${key}/` : key;
}

const CSV_FIELDS = ['key', 'size', 'lastModified', 'time', 'timeSource', 'kind', 'host', 'etag', 'tier'] as const;

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(e: Entry): string {
  const rec: Record<(typeof CSV_FIELDS)[number], unknown> = {
    key: e.key,
    size: e.size,
    lastModified: e.lastModified.toISOString(),
    time: e.time.toISOString(),
    timeSource: e.timeSource,
    kind: e.facts.kind,
    host: e.facts.host,
    etag: e.etag,
    tier: e.tier,
  };
  return CSV_FIELDS.map((f) => csvCell(rec[f])).join(',');
}

const SORTS: Record<NonNullable<ListFlags['sort']>, (a: Entry, b: Entry) => number> = {
  time: (a, b) => a.time.getTime() - b.time.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  key: (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  size: (a, b) => b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
};

/** Rows for a terminal: keys relative to the location, columns fitted to its width. */
const TTY_BUFFER_ROWS = 500;

interface TableView {
  lines(entries: readonly Entry[]): string[];
  header(): string;
}

/**
 * The terminal table, its widths fitted to the first rows (up to TTY_BUFFER_ROWS; later rows are
 * cut to the same widths) and never wider than the terminal. The HOST column stays whenever a row
 * has a host: a key cut in the middle can hide the host, and two hosts' rows must not look the same.
 */
function tableView(first: readonly Entry[], o: { long: boolean; base: string; width: number }): TableView {
  const rel = (e: Entry) => shownKey(e, e.key.startsWith(o.base) && e.key.length > o.base.length ? e.key.slice(o.base.length) : e.key);
  const showHost = first.some((e) => e.facts.host);
  const cols: Column[] = [{ header: 'TIME (UTC)' }, { header: 'SIZE', align: 'right' }, { header: 'KIND' }];
  // HOST and ETAG give way first (a host's first label tells hosts apart); the key keeps the most.
  if (showHost) cols.push({ header: 'HOST', shrink: 'end', min: 14, give: 0 });
  if (o.long)
    cols.push({ header: 'MODIFIED (UTC)' }, { header: 'ETAG', shrink: 'end', min: 6, give: 0 }, { header: 'TIER', shrink: 'end', min: 7 });
  cols.push({ header: 'KEY', shrink: 'middle', min: 20 });
  const cells = (e: Entry) => {
    const c = [formatTime(e.time), formatBytes(e.size), e.facts.kind ?? ''];
    if (showHost) c.push(escapeText(e.facts.host ?? ''));
    if (o.long) c.push(formatTime(e.lastModified), escapeText(e.etag ?? ''), tierCell(e));
    c.push(escapeText(rel(e)));
    return c;
  };
  const widths = fitWidths(cols, first.map(cells), o.width);
  return { header: () => renderHeader(cols, widths), lines: (es) => es.map((e) => renderRow(cols, widths, cells(e))) };
}

async function* sortedBy(source: AsyncIterable<Entry>, cmp: (a: Entry, b: Entry) => number): AsyncIterable<Entry> {
  const all: Entry[] = [];
  for await (const e of source) all.push(e);
  yield* all.sort(cmp);
}

async function* limited(source: AsyncIterable<Entry>, n: number): AsyncIterable<Entry> {
  if (n <= 0) return;
  let i = 0;
  for await (const e of source) {
    yield e;
    if (++i >= n) return;
  }
}

function checkFlags(flags: ListFlags, format: string): void {
  if (flags.urls && flags.paths) throw new UsageError('--urls and --paths are two forms of the same list', { hint: 'choose one' });
  if (flags.paths && format !== 'table')
    throw new UsageError('--paths prints keys only: it cannot be combined with another output format', {
      hint: 'drop -o/--json/--ndjson/--csv, or --paths',
    });
  if (flags.paths && (flags.summary || flags.histogram))
    throw new UsageError('--paths cannot be combined with --summary/--histogram', { hint: 'choose one' });
  if (flags.urls && format !== 'table')
    throw new UsageError('--urls prints object URLs only: it cannot be combined with another output format', {
      hint: 'drop -o/--json/--ndjson/--csv, or --urls',
    });
  if (flags.urls && (flags.summary || flags.histogram))
    throw new UsageError('--urls cannot be combined with --summary/--histogram', { hint: 'choose one' });
  if ((flags.summary || flags.histogram) && (format === 'ndjson' || format === 'csv')) {
    throw new UsageError(`--summary/--histogram print a table or one JSON document, not ${format}`, { hint: 'use --json for scripts' });
  }
  if (typeof flags.histogram === 'string' && !['hour', 'day'].includes(flags.histogram)) {
    throw new UsageError(`--histogram "${flags.histogram}": expected hour or day`, {
      hint: 'or give --histogram alone to choose by the span',
    });
  }
}

export async function runList(location: string, flags: ListFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags);
  checkFlags(flags, format);
  const limit = flags.limit !== undefined ? parsePositiveInt(flags.limit, '--limit', Number.MAX_SAFE_INTEGER) : undefined;
  const now = io.now();
  const tty = stdoutIsTTY(io);
  const explain = flags.explain || flags.verbose;
  const [target, c, plan] = await Promise.all([
    targetFor(location, flags, io),
    // Colour is for the terminal table only; chalk and node:tty cost a piped listing ~5 ms.
    tty ? import('../output/color.js').then((m) => m.stdoutColor(io)) : undefined,
    explain ? import('../listing/explain.js').then((m) => m.planPrinter((l) => io.stderr.write(`${escapeText(l)}\n`))) : undefined,
  ]);
  const provider = await open(target, io);
  const out = new LineWriter(io.stdout);
  const totals: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  const urlOf = flags.urls ? (await import('../query/object-urls.js')).objectUrl : undefined;
  const asList = !!(urlOf || flags.paths);
  let entries = listEntries(
    provider,
    target.prefix,
    { ...flags, layout: flags.layout ?? target.layout, folders: !asList, onPlan: plan?.onPlan, now },
    totals,
  );
  if (flags.sort) entries = sortedBy(entries, SORTS[flags.sort]);
  if (limit !== undefined) entries = limited(entries, limit);

  const shown: { count: number; bytes: number; unlisted?: string[] } =
    flags.summary || flags.histogram
      ? await printViews(entries, flags, format, out, io, now)
      : await printObjects(entries, {
          flags,
          format,
          tty,
          out,
          c,
          width: stdoutColumns(io),
          urlOf: urlOf && ((k) => urlOf(target, k)),
          base: target.prefix.slice(0, target.prefix.lastIndexOf('/') + 1),
          totals,
          unlisted: [],
        });
  await out.flush();
  plan?.end(totals);
  // As cat, pull and query (README "Exit codes"): nothing at all under the location is exit 4,
  // filters that leave out what is there are not.
  if (!totals.count && (await prefixIsEmpty(provider, target.prefix))) throw nothingUnder(provider, target.prefix);
  if (shown.unlisted?.length) throw unlistedError(shown.unlisted);
  // --summary prints its own total; --urls/--paths print nothing but the list.
  if (format === 'table' && !asList && !flags.summary && (flags.totals || tty)) {
    const filtered = totals.scanned !== shown.count ? ` (of ${totals.scanned} scanned)` : '';
    const line = `${shown.count} object${shown.count === 1 ? '' : 's'}, ${formatBytes(shown.bytes)}${filtered}`;
    if (tty) io.stdout.write(`${c ? c.dim(line) : line}\n`);
    else io.stderr.write(`${line}\n`);
  }
}

interface PrintContext {
  flags: ListFlags;
  format: string;
  tty: boolean;
  out: LineWriter;
  /** Set on a terminal (the only place the table is coloured). */
  c?: ChalkInstance;
  /** Terminal columns the table fits into. */
  width: number;
  urlOf?: (key: string) => string;
  base: string;
  totals: ListTotals;
  /** --paths: keys a line-based list cannot hold (a line break in them). */
  unlisted: string[];
}

/** A key as a line of a file list (rclone --files-from-raw, azcopy --list-of-files): relative to the location's folder. */
function pathLine(e: Entry, x: PrintContext): string | undefined {
  if (/[\r\n]/.test(e.key)) {
    x.unlisted.push(e.key);
    return undefined;
  }
  const rel = e.key.startsWith(x.base) ? e.key.slice(x.base.length) : e.key;
  // Raw for the file it is meant for; escaped when a person reads it on a terminal.
  return x.tty ? escapeText(rel) : rel;
}

function unlistedError(keys: string[]): PartialFailureError {
  const shown = keys.slice(0, 3).map((k) => `"${k}"`);
  return new PartialFailureError(
    `${keys.length} key${keys.length === 1 ? '' : 's'} left out of the list: a line break in a key cannot be one line of a file list (${shown.join(', ')}${keys.length > 3 ? ', …' : ''})`,
    { hint: 'fetch those objects with `archive pull` (it takes any key), or list them with -o ndjson' },
  );
}

async function printObjects(
  entries: AsyncIterable<Entry>,
  x: PrintContext,
): Promise<{ count: number; bytes: number; unlisted?: string[] }> {
  const { out, format } = x;
  let count = 0;
  let bytes = 0;
  const pending: Entry[] = [];
  let view: TableView | undefined;
  const flushTable = async () => {
    view ??= tableView(pending, { long: !!x.flags.long, base: x.base, width: x.width });
    if (count === pending.length) await out.line(x.c ? x.c.bold(view.header()) : view.header());
    for (const l of view.lines(pending)) await out.line(l);
    pending.length = 0;
  };
  if (format === 'json') await out.line('{"objects":[');
  if (format === 'csv') await out.line(CSV_FIELDS.join(','));
  for await (const e of entries) {
    count++;
    bytes += e.size;
    if (x.urlOf) await out.line(x.urlOf(e.key));
    else if (x.flags.paths) {
      const line = pathLine(e, x);
      if (line !== undefined) await out.line(line);
    } else if (format === 'json') await out.line(`${count > 1 ? ',' : ''}${JSON.stringify(entryToJson(e))}`);
    else if (format === 'ndjson') await out.line(JSON.stringify(entryToJson(e)));
    else if (format === 'csv') await out.line(csvRow(e));
    else if (!x.tty) await out.line(row(e, !!x.flags.long));
    else {
      pending.push(e);
      if (!view ? pending.length >= TTY_BUFFER_ROWS : true) await flushTable();
    }
  }
  if (pending.length) await flushTable();
  if (format === 'json')
    await out.line(`],"count":${count},"bytes":${bytes},"scanned":${x.totals.scanned},"requests":${x.totals.requests ?? null}}`);
  return { count, bytes, unlisted: x.unlisted };
}

async function printViews(
  entries: AsyncIterable<Entry>,
  flags: ListFlags,
  format: string,
  out: LineWriter,
  io: Io,
  now: Date,
): Promise<{ count: number; bytes: number }> {
  const [{ SummaryBuilder }, { HistogramBuilder }, { renderSummary, renderHistogram }, { timeWindow }, { stdoutColor }] = await Promise.all(
    [
      import('../views/summary.js'),
      import('../views/histogram.js'),
      import('../views/render.js'),
      import('../filter.js'),
      import('../output/color.js'),
    ],
  );
  const s = new SummaryBuilder();
  const h = new HistogramBuilder();
  // The histogram is for export gaps: it counts log objects (an ownership challenge or a marker in
  // an hour with no export must not fill it), unless --kind says what to count.
  const counted = (flags.kind ?? []).length ? () => true : (e: Entry) => kindClass(e.facts.kind) === 'record';
  const leftOut: Record<string, number> = {};
  for await (const e of entries) {
    s.add(e);
    if (counted(e)) h.add(e);
    else leftOut[e.facts.kind ?? 'other'] = (leftOut[e.facts.kind ?? 'other'] ?? 0) + 1;
  }
  const summary = s.build();
  const histogram = flags.histogram
    ? h.build(timeWindow(flags, now), typeof flags.histogram === 'string' ? (flags.histogram as 'hour' | 'day') : undefined, now)
    : undefined;
  if (histogram && Object.keys(leftOut).length) histogram.leftOut = leftOut;
  if (format === 'json') {
    await out.line(JSON.stringify({ ...(flags.summary ? { summary } : { total: summary.total }), ...(histogram ? { histogram } : {}) }));
  } else {
    const width = stdoutColumns(io);
    const c = stdoutColor(io);
    const lines = [
      ...(flags.summary ? renderSummary(summary, c, width) : []),
      ...(flags.summary && histogram ? [''] : []),
      ...(histogram ? renderHistogram(histogram, c, width) : []),
    ];
    for (const l of lines) await out.line(l);
  }
  return { count: summary.total.objects, bytes: summary.total.bytes };
}

/**
 * `list --follow` (./follow-run.ts): the lines `archive list` prints, one batch of objects at a
 * time, in the same formats (`-o ndjson` adds `follow`: initial, new, late or rewritten). The CSV or
 * table header comes once, before the first rows; on a terminal the table's widths are fitted to
 * the first batch and kept.
 */
export function followLines(
  flags: ListFlags,
  o: { format: string; tty: boolean; width: number; base: string; c?: ChalkInstance; urlOf?: (key: string) => string },
): (batch: ReadonlyArray<{ entry: Entry; change: string }>) => string[] {
  let started = false;
  let view: TableView | undefined;
  return (batch) => {
    const lines: string[] = [];
    if (!started && o.format === 'csv' && !o.urlOf) lines.push(CSV_FIELDS.join(','));
    started = true;
    if (o.format === 'table' && o.tty && !o.urlOf) {
      if (!batch.length) return lines;
      const entries = batch.map((b) => b.entry);
      if (!view) {
        view = tableView(entries, { long: !!flags.long, base: o.base, width: o.width });
        lines.push(o.c ? o.c.bold(view.header()) : view.header());
      }
      return [...lines, ...view.lines(entries)];
    }
    for (const { entry: e, change } of batch) {
      if (o.urlOf) lines.push(o.urlOf(e.key));
      else if (o.format === 'ndjson') lines.push(JSON.stringify({ ...entryToJson(e), follow: change }));
      else if (o.format === 'csv') lines.push(csvRow(e));
      else lines.push(row(e, !!flags.long));
    }
    return lines;
  };
}
