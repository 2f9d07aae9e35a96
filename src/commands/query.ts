import type { Command } from 'commander';
import { Option } from 'commander';
import { addFilterOptions, addRequestPayerOption, addTargetOptions, targetFor, open, type TargetFlags } from './options.js';
import type { ListOptions } from '../listing.js';
import { UsageError } from '../errors.js';
import { parsePositiveInt, parseSize } from '../output/size.js';
import type { VendorView } from '../query/vendor-views.js';
import type { Io } from '../io.js';

interface QueryFlags extends TargetFlags, ListOptions {
  dedupe?: boolean;
  sqlFile?: string;
  schema?: boolean;
  clip?: boolean;
  view?: string;
  output?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  out?: string;
  skipBad?: boolean;
  memoryLimit?: string;
  concurrency?: string;
  threads?: string;
  emit?: 'duckdb' | 'clickhouse' | 'trino' | 'spark';
  withSas?: boolean;
}

const DEFAULT_MEMORY = '2GiB';

async function readStdin(stdin: Io['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function sqlText(arg: string | undefined, flags: QueryFlags, io: Io): Promise<string | undefined> {
  if (arg !== undefined && flags.sqlFile) throw new UsageError('give the SQL either as an argument or with --sql-file, not both');
  if (flags.sqlFile === '-' || arg === '-') return readStdin(io.stdin);
  if (flags.sqlFile) {
    const { readFile } = await import('node:fs/promises');
    try {
      return await readFile(flags.sqlFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--sql-file ${flags.sqlFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        hint: 'name a readable file, or - for stdin',
      });
    }
  }
  return arg;
}

export async function runQueryCommand(location: string, sqlArg: string | undefined, flags: QueryFlags, io: Io): Promise<void> {
  const format = (await import('../output/output-format.js')).resolveOutputFormat(flags);
  const sql = await sqlText(sqlArg, flags, io);
  if (!flags.schema && !flags.emit && !sql?.trim())
    throw new UsageError('no SQL given', {
      hint: 'archive query LOCATION "SELECT count(*) FROM logs" (or --sql-file F, or - for stdin); --schema shows the columns',
    });
  if (flags.withSas && !flags.emit) throw new UsageError('--with-sas only applies to --emit');
  const memoryBytes = parseSize(flags.memoryLimit ?? DEFAULT_MEMORY, '--memory-limit');
  const concurrency = flags.concurrency ? parsePositiveInt(flags.concurrency, '--concurrency', 256) : 8;
  const threads = flags.threads ? parsePositiveInt(flags.threads, '--threads', 256) : undefined;
  const target = await targetFor(location, flags, io);
  const provider = await open(target, io);
  const select = { ...flags, layout: flags.layout ?? target.layout, now: io.now() };
  if (flags.emit) {
    const { emitStatement } = await import('../query/emit.js');
    const { selectObjects } = await import('../query/select-objects.js');
    const { write } = await import('../output/writer.js');
    const selection = await selectObjects(provider, target.prefix, select);
    if (!selection.entries.length) io.stderr.write('archive: note: no objects match the location and filters\n');
    await write(io.stdout, emitStatement(flags.emit, target, selection.entries, { sql, withSas: !!flags.withSas }));
    return;
  }
  // DuckDB and the query modules load only here: `archive --help` and other commands never pay
  // for them, and work where the native DuckDB binary is missing.
  const [{ runQuery }, { Progress }, { stderrColor }] = await Promise.all([
    import('../query/run.js'),
    import('../output/progress.js'),
    import('../output/color.js'),
  ]);
  const { loadDuckDB } = await import('../query/engine.js');
  await loadDuckDB(); // fail before any request when the engine is missing
  const c = stderrColor(io);
  const progress = await Progress.create('query', io.stderr, true, undefined, io.env);
  await runQuery({
    provider,
    prefix: target.prefix,
    select,
    sql,
    schemaOnly: !!flags.schema,
    clip: !!flags.clip,
    view: flags.view as VendorView | 'none' | undefined,
    format,
    outFile: flags.out,
    skipBad: !!flags.skipBad,
    memoryLimit: `${Math.max(64, Math.floor(memoryBytes / 1024 / 1024))}MiB`,
    concurrency,
    threads,
    signal: io.interrupt.signal(),
    out: io.stdout,
    note: (line) => progress.log(`${c.dim('archive:')} ${line}`),
    progress,
  });
}

export function registerQuery(program: Command, io: Io): void {
  const cmd = program
    .command('query')
    .description('run DuckDB SQL over the records of the selected objects (table `logs`)')
    .argument('<location>', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (SAS ok), s3://BUCKET/PREFIX or PROFILE:PREFIX')
    .argument('[sql]', 'DuckDB SQL over `logs`; - reads it from stdin');
  addTargetOptions(cmd);
  addRequestPayerOption(cmd);
  addFilterOptions(cmd)
    .option('--dedupe', 'when two objects hold the same logical partition (re-exports), read only the newest')
    .option('--sql-file <file>', 'read the SQL from a file (- for stdin)')
    .option('--schema', 'print the columns and types of `logs` instead of running SQL')
    .option('--clip', "keep only records whose own time (the vendor view's time field) is inside --since/--until")
    .addOption(
      new Option('--view <name>', 'typed view for `logs` (default: chosen from the layout)').choices([
        'vespa-access',
        'cloudflare-http',
        'amplitude-events',
        'none',
      ]),
    )
    .option('-o, --output <format>', 'table (default), json, ndjson or csv')
    .option('--json', 'same as -o json: the result as one JSON array')
    .option('--ndjson', 'same as -o ndjson: one JSON object per result row')
    .option('--csv', 'same as -o csv: the result as CSV with a header')
    .option('--out <file>', 'write the result to FILE.parquet, .csv, .ndjson or .json instead of stdout')
    .option('--skip-bad', 'answer from the readable objects when some are corrupt or fail (still exit 5)')
    .option('--memory-limit <size>', `DuckDB memory limit; beyond it DuckDB spills to the temp dir (default ${DEFAULT_MEMORY})`)
    .option('-c, --concurrency <n>', 'objects fetched in parallel (default 8)')
    .option('--threads <n>', 'DuckDB worker threads (default: one per core)')
    .addOption(
      new Option('--emit <engine>', 'print the statement that makes ENGINE read the same objects from storage, instead of running').choices(
        ['duckdb', 'clickhouse', 'trino', 'spark'],
      ),
    )
    .option('--with-sas', 'with --emit: put the SAS token in the printed statement (it is a secret)')
    .addHelpText(
      'after',
      `
Tables: logs (typed by vendor: Vespa access, Cloudflare http_requests, Amplitude events),
logs_raw (fields as detected), _objects (one row per object). Every record carries
_key, _time (the object's time from its key), _host and _kind.

Examples:
  archive query vespa:acme/search/prod/ --kind access --since 6h \\
    "SELECT split_part(uri, '?', 1) AS path, count(*) AS n, quantile_cont(duration, 0.99) AS p99 FROM logs GROUP BY 1 ORDER BY n DESC"
  archive query az://acct/logpush/http/ --since 1d "SELECT ClientRequestPath, count(*) FROM logs WHERE EdgeResponseStatus >= 500 GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
  archive query amplitude:exports/ --since 2d --dedupe --csv "SELECT date_trunc('hour', event_time) h, event_type, count(*) FROM logs GROUP BY ALL ORDER BY 1"
  archive query s3://bucket/logs/ --since 1h --out window.parquet "SELECT * FROM logs"
  archive query s3://bucket/logs/ --since 1d --emit clickhouse "SELECT count(*) FROM logs"`,
    )
    .action(async (location: string, sql: string | undefined, flags: QueryFlags) => runQueryCommand(location, sql, flags, io));
}
