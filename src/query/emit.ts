/**
 * `--emit ENGINE`: the statement that makes another engine read the same time-pruned object set
 * straight from storage, for users who outgrow one machine. The object list comes from archive's
 * listing (so vendor-layout pruning and --dedupe carry over); credentials are left to the
 * engine's own chain, and no secret is printed unless --with-sas. Pure: target + entries in, text out.
 *
 * Keys are written by others, so every key is quoted in the syntax of the engine that reads it and
 * can never leave its string literal or comment, and never reaches the engine as a pattern:
 * - DuckDB: standard literals ('' for a quote; a backslash is a character), and characters a
 *   terminal would act on spliced in as chr(N); S3 URLs read with URL_COMPATIBILITY_MODE (no glob,
 *   no ?query), SAS URLs percent-encoded (no `*` left for httpfs), az:// paths with glob
 *   characters escaped with `\` the way the azure extension's glob matcher reads them.
 * - ClickHouse: backslash-escaped literals (`\\`, `\'`, `\xHH` bytes for every unsafe character);
 *   the glob in s3()/azureBlobStorage() holds only a plain folder prefix and `**`, the objects are
 *   chosen by `_path IN (…)` (exact strings, filtered before any object is fetched).
 * - Trino/Athena: the manifest is comment lines holding raw paths (a manifest is a file of raw
 *   paths); a key with a line break cannot be a manifest line and is left out, named, escaped;
 *   on a terminal, paths with characters a terminal would act on are shown escaped.
 * - Spark: Python string literals (escapes for every unsafe character), Hadoop glob characters
 *   escaped with `\` so each path matches only its own object.
 */
import type { Entry } from '../filter.js';
import type { Target } from '../target.js';
import { escapeText, hasUnsafeText } from '../output/escape.js';
import { formatBytes } from '../output/format.js';
import { encodeKey, httpsUrl, sasOf } from './object-urls.js';
import { sqlString, stripTrailingSemicolons } from './sql-text.js';
import { emitTypedLogs, viewOf, type VendorView } from './vendor-views.js';

export type EmitEngine = 'duckdb' | 'clickhouse' | 'trino' | 'spark';

export interface EmitOptions {
  sql?: string;
  withSas: boolean;
  /** The typed views `archive query` would use: DuckDB's `logs` gets the same column types. */
  views?: readonly VendorView[];
  /** stdout is a terminal: comment lines holding raw keys are shown escaped (Trino's manifest). */
  tty?: boolean;
}

function where(target: Target): string {
  if (target.provider === 'gcs') return escapeText(`gs://${target.bucket}`);
  return escapeText(target.provider === 'azure' ? `az://${target.account}/${target.container}` : `s3://${target.bucket}`);
}

/** Characters a terminal acts on or hides (output/escape.ts), one at a time, as code points. */
const UNSAFE_CHAR = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** A DuckDB string: '…' with quotes doubled, unsafe characters spliced in as chr(N) so the text stays printable. */
export function duckdbString(s: string): string {
  if (!hasUnsafeText(s)) return sqlString(s);
  const parts: string[] = [];
  let run = '';
  for (const ch of s) {
    if (!UNSAFE_CHAR.test(ch)) {
      run += ch;
      continue;
    }
    if (run) parts.push(sqlString(run));
    run = '';
    parts.push(`chr(${ch.codePointAt(0)})`);
  }
  if (run) parts.push(sqlString(run));
  return `(${parts.join(' || ')})`;
}

/** A ClickHouse string: backslash escapes (ClickHouse reads them in every literal), unsafe characters as their UTF-8 bytes. */
export function clickhouseString(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (UNSAFE_CHAR.test(ch))
      out += [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
    else out += ch;
  }
  return `'${out}'`;
}

/** A Python string literal: backslash escapes for the quote, the backslash and every unsafe character. */
export function pythonString(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (!UNSAFE_CHAR.test(ch)) out += ch;
    else if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `"${out}"`;
}

/** A key as a Hadoop glob matching only itself (Spark globs every path it is given that holds one of these). */
function hadoopLiteral(key: string): string {
  return key.replace(/[{}[\]*?\\]/g, '\\$&');
}

/** A path as DuckDB's azure extension globs it: `*`, `?`, `[` and `\` escaped with `\` (its matcher's escape). */
function azureGlobLiteral(path: string): string {
  return /[*[\\]/.test(path) ? path.replace(/[*?[\\]/g, '\\$&') : path;
}

/** GCS: DuckDB reads gs:// through the XML API with an HMAC key (its GCS secret); requester pays is the billed project. */
function gcsDuckdbSecret(target: Extract<Target, { provider: 'gcs' }>): string[] {
  const lines = [
    "CREATE OR REPLACE SECRET archive_gcs (TYPE gcs, KEY_ID 'HMAC_ACCESS_ID', SECRET 'HMAC_SECRET'); -- an HMAC key: Cloud Storage → Settings → Interoperability",
  ];
  if (target.userProject)
    lines.push(
      `-- requester pays: DuckDB's GCS secret sends no x-goog-user-project; the HMAC key's own project (${target.userProject} if it is that one) must be allowed to read the bucket, or copy the objects with archive pull first`,
    );
  return lines;
}

/**
 * S3 addressing the engine must be told about: a dotted bucket on AWS needs path-style (the
 * virtual-hosted name fails TLS on the dot: Vespa Cloud's `vespa-cloud-data-prod.aws-…` buckets),
 * and requester pays needs `x-amz-request-payer: requester` on every request.
 */
function s3Needs(target: Target): { pathStyle: boolean; requesterPays: boolean } {
  if (target.provider !== 's3') return { pathStyle: false, requesterPays: false };
  return { pathStyle: !target.endpoint && target.bucket.includes('.'), requesterPays: !!target.requestPayer };
}

function header(comment: string, target: Target, entries: Entry[]): string {
  const bytes = entries.reduce((n, e) => n + e.size, 0);
  return `${comment} archive query --emit: ${entries.length} object${entries.length === 1 ? '' : 's'} (${formatBytes(bytes)}) from ${where(target)}, as selected by archive's listing`;
}

function tsText(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** The URL DuckDB reads an object by: https+SAS (httpfs, no secret object), az:// or s3://. */
export function duckdbUrl(target: Target, e: Entry, withSas: boolean): string {
  if (target.provider === 'azure')
    return withSas && sasOf(target) ? httpsUrl(target, e.key, { withSas: true }) : `az://${target.container}/${e.key}`;
  return `${target.provider === 'gcs' ? 'gs' : 's3'}://${target.bucket}/${e.key}`;
}

function duckdb(target: Target, entries: Entry[], o: EmitOptions): string {
  const sas = o.withSas && target.provider === 'azure' ? sasOf(target) : undefined;
  const lines = [header('--', target, entries)];
  if (target.provider === 'azure') {
    if (sas) lines.push('INSTALL httpfs; LOAD httpfs; -- the SAS is in each URL below: treat this text as a secret');
    else {
      lines.push('INSTALL azure; LOAD azure;');
      lines.push(
        `CREATE OR REPLACE SECRET archive_azure (TYPE azure, PROVIDER credential_chain, ACCOUNT_NAME ${sqlString(target.account)});`,
      );
      lines.push("-- (or: CREATE SECRET (TYPE azure, CONNECTION_STRING '…'); archive --emit duckdb --with-sas prints SAS URLs instead)");
    }
  } else if (target.provider === 'gcs') {
    lines.push('INSTALL httpfs; LOAD httpfs;', ...gcsDuckdbSecret(target));
  } else {
    lines.push('INSTALL httpfs; LOAD httpfs;');
    // URL_COMPATIBILITY_MODE: each s3:// URL is one object, never a glob or a ?query (keys hold `*`, `[`, `?`).
    const parts = ['TYPE s3', 'PROVIDER credential_chain', 'URL_COMPATIBILITY_MODE true'];
    if (target.region) parts.push(`REGION ${sqlString(target.region)}`);
    if (target.endpoint) {
      const u = new URL(target.endpoint);
      parts.push(`ENDPOINT ${sqlString(u.host)}`, "URL_STYLE 'path'", `USE_SSL ${u.protocol === 'https:' ? 'true' : 'false'}`);
    }
    const needs = s3Needs(target);
    if (needs.pathStyle) parts.push("URL_STYLE 'path'");
    if (needs.requesterPays) parts.push('REQUESTER_PAYS true');
    lines.push(`CREATE OR REPLACE SECRET archive_s3 (${parts.join(', ')});`);
    // The same as a setting, for DuckDB releases whose S3 secret has no REQUESTER_PAYS.
    if (needs.requesterPays) lines.push('SET s3_requester_pays = true;');
  }
  if (!entries.length) {
    lines.push(
      'CREATE OR REPLACE VIEW logs_raw AS SELECT NULL::VARCHAR AS _key, NULL::TIMESTAMP AS _time, NULL::VARCHAR AS _host, NULL::VARCHAR AS _kind WHERE false;',
    );
  } else {
    const urls = entries.map((e) => duckdbUrl(target, e, !!sas));
    // What read_json is given: the URL itself, or (az://, glob characters in the key) a pattern that matches only it.
    const reads = urls.map((u) => (target.provider === 'azure' && !sas ? azureGlobLiteral(u) : u));
    const globbed = reads.filter((r, i) => r !== urls[i]).length;
    if (globbed)
      lines.push(
        `-- ${globbed} key${globbed === 1 ? ' holds' : 's hold'} glob characters (* ? [ \\): read_json gets ${globbed === 1 ? 'it' : 'them'} escaped, each matching only its own object (that needs list permission)`,
      );
    const rows = entries.map(
      (e, i) =>
        `  (${duckdbString(urls[i]!)}, ${duckdbString(e.key)}, TIMESTAMP ${sqlString(tsText(e.time))}, ${e.facts.host ? duckdbString(e.facts.host) : 'NULL'}, ${e.facts.kind ? duckdbString(e.facts.kind) : 'NULL'})`,
    );
    lines.push(`CREATE OR REPLACE TABLE _objects (url VARCHAR, _key VARCHAR, _time TIMESTAMP, _host VARCHAR, _kind VARCHAR);`);
    lines.push(`INSERT INTO _objects VALUES\n${rows.join(',\n')};`);
    // One read per record shape (vendor kind), joined by name as archive query joins them (schema.ts).
    const arms = shapes(entries).map(
      (group) =>
        `SELECT r.* EXCLUDE (_archive_file), o._key, o._time, o._host, o._kind\nFROM read_json([\n${group.map((i) => `  ${duckdbString(reads[i]!)}`).join(',\n')}\n], format = 'newline_delimited', union_by_name = true, filename = '_archive_file') r\nJOIN _objects o ON r._archive_file = o.url`,
    );
    lines.push(
      `CREATE OR REPLACE VIEW logs_raw AS ${arms.length === 1 ? arms[0] : arms.map((a) => `(${a})`).join('\nUNION ALL BY NAME\n')};`,
    );
  }
  // `logs` typed as `archive query` types it (vendor-views.ts), over the fields as detected.
  lines.push(`CREATE OR REPLACE VIEW logs AS ${emitTypedLogs(o.views ?? [])};`);
  if (o.sql?.trim()) lines.push(`${stripTrailingSemicolons(o.sql)};`);
  return `${lines.join('\n')}\n`;
}

/** Entry indices grouped by record shape (one group per typed view, one for the rest), first seen first. */
function shapes(entries: Entry[]): number[][] {
  const groups = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const k = viewOf(e) ?? '';
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

function clickhouse(target: Target, entries: Entry[], o: EmitOptions): string {
  const lines = [header('--', target, entries)];
  const prefix = globSafePrefix(commonPrefix(entries.map((e) => e.key)));
  let source: string;
  let paths: string[];
  if (target.provider === 'azure') {
    const sas = o.withSas ? sasOf(target) : undefined;
    const account = sas
      ? `${clickhouseString(`${target.serviceUrl.replace(/\/+$/, '')}?${sas}`)}`
      : clickhouseString(target.serviceUrl.replace(/\/+$/, ''));
    source = `azureBlobStorage(${account}, ${clickhouseString(target.container)}, ${clickhouseString(`${prefix}**`)}, 'JSONEachRow')`;
    if (!sas)
      lines.push(
        '-- credentials: add account_name, account_key arguments, or use a connection string / named collection; --with-sas puts the SAS in the URL',
      );
    paths = entries.map((e) => `${target.container}/${e.key}`);
  } else if (target.provider === 'gcs') {
    const base = `${(target.endpoint ?? 'https://storage.googleapis.com').replace(/\/+$/, '')}/${target.bucket}/`;
    const headers = target.userProject ? `, headers('x-goog-user-project' = ${clickhouseString(target.userProject)})` : '';
    source = `gcs(${clickhouseString(`${base}${encodeKey(prefix)}**`)}, 'JSONEachRow'${headers})`;
    lines.push("-- credentials: add the HMAC key's access id and secret as arguments after the URL, or a named collection");
    if (headers) lines.push('-- requester pays: every request must carry x-goog-user-project, which the headers(…) argument sends');
    paths = entries.map((e) => `${target.bucket}/${e.key}`);
  } else {
    const needs = s3Needs(target);
    const base = target.endpoint
      ? `${target.endpoint.replace(/\/+$/, '')}/${target.bucket}/`
      : needs.pathStyle
        ? `https://s3.${target.region ?? 'us-east-1'}.amazonaws.com/${target.bucket}/`
        : `https://${target.bucket}.s3.${target.region ?? 'us-east-1'}.amazonaws.com/`;
    const headers = needs.requesterPays ? ", headers('x-amz-request-payer' = 'requester')" : '';
    source = `s3(${clickhouseString(`${base}${encodeKey(prefix)}**`)}, 'JSONEachRow'${headers})`;
    lines.push("-- credentials: add access key arguments, a named collection, or rely on the server's role");
    if (needs.requesterPays)
      lines.push(
        "-- requester pays: the bucket answers AccessDenied unless every request carries x-amz-request-payer: requester, which s3()'s headers(…) argument below sends (keep it when adding credentials)",
      );
    paths = entries.map((e) => `${target.bucket}/${e.key}`);
  }
  lines.push('-- only the listed objects are read: ClickHouse filters files on _path before fetching them');
  lines.push(
    `CREATE OR REPLACE VIEW logs AS SELECT *, _path FROM ${source}\nWHERE _path IN (\n${paths.map((p) => `  ${clickhouseString(p)}`).join(',\n') || "  ''"}\n);`,
  );
  if (o.sql?.trim())
    lines.push(`-- your query (written for DuckDB; adjust to ClickHouse SQL where needed):\n${stripTrailingSemicolons(o.sql)};`);
  return `${lines.join('\n')}\n`;
}

function hadoopUrl(target: Target, key: string): string {
  return target.provider === 'azure'
    ? `abfss://${target.container}@${target.account}.dfs.core.windows.net/${key}`
    : `${target.provider === 'gcs' ? 'gs' : 's3'}://${target.bucket}/${key}`;
}

/** Line terminators of Trino's SQL comments and of Hadoop's line reader (the manifest's). */
const LINE_BREAK = /[\r\n]/;

function trino(target: Target, entries: Entry[], o: EmitOptions): string {
  const opts = o;
  const lines = [header('--', target, entries)];
  const loc =
    target.provider === 'azure'
      ? `abfss://${target.container}@${target.account}.dfs.core.windows.net/_archive_manifest/`
      : `${target.provider === 'gcs' ? 'gs' : 's3'}://${target.bucket}/_archive_manifest/`;
  lines.push('-- 1. save the manifest (the object URLs below) as a file and upload it under LOCATION:');
  lines.push("--      archive query … --emit trino | sed -n 's/^-- manifest: //p' > manifest.txt");
  // A manifest is one raw path a line: a key with a line break cannot be one, and must not end the comment.
  const unlisted = entries.filter((e) => LINE_BREAK.test(e.key));
  let shownEscaped = 0;
  for (const e of entries) {
    if (LINE_BREAK.test(e.key)) continue;
    const url = hadoopUrl(target, e.key);
    const unsafe = opts.tty && hasUnsafeText(url);
    if (unsafe) shownEscaped++;
    lines.push(`-- manifest: ${unsafe ? escapeText(url) : url}`);
  }
  if (shownEscaped)
    lines.push(
      `-- (${shownEscaped} manifest line${shownEscaped === 1 ? '' : 's'} shown escaped for the terminal; redirect the output for the exact paths)`,
    );
  if (unlisted.length) {
    lines.push(
      `-- left out: ${unlisted.length} object${unlisted.length === 1 ? '' : 's'} whose key holds a line break (a manifest line cannot); read ${unlisted.length === 1 ? 'it' : 'them'} with --emit clickhouse, duckdb or spark:`,
    );
    for (const e of unlisted) lines.push(`--   ${escapeText(e.key)}`);
  }
  lines.push('-- 2. a symlink table over it (Trino Hive connector or Athena); one record per line, fields via json_extract:');
  lines.push(
    `CREATE EXTERNAL TABLE logs (line string)\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\u0001'\nSTORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'\nOUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\nLOCATION ${sqlString(loc)};`,
  );
  lines.push("-- e.g. SELECT json_extract_scalar(line, '$.uri') AS uri, count(*) FROM logs GROUP BY 1;");
  if (o.sql?.trim())
    lines.push(
      `-- your query (written for DuckDB over typed columns; rewrite fields as json_extract_scalar(line, '$.field')):\n-- ${stripTrailingSemicolons(o.sql).replace(/\r\n|[\r\n]/g, '\n-- ')}`,
    );
  return `${lines.join('\n')}\n`;
}

function spark(target: Target, entries: Entry[], o: EmitOptions): string {
  const lines = [header('#', target, entries), '# PySpark'];
  const sas = o.withSas ? sasOf(target) : undefined;
  if (target.provider === 'azure') {
    if (sas)
      lines.push(
        `spark.conf.set(${pythonString(`fs.azure.sas.${target.container}.${target.account}.blob.core.windows.net`)}, ${pythonString(sas)})  # a secret`,
      );
    else lines.push('# credentials: fs.azure.account.auth.type / OAuth or account key in the Spark conf (--with-sas prints a SAS setting)');
  } else if (target.provider === 'gcs') {
    lines.push('# credentials: the Cloud Storage connector (gcs-connector) uses Application Default Credentials');
    if (target.userProject)
      lines.push(
        `spark.sparkContext._jsc.hadoopConfiguration().set("fs.gs.requester.pays.mode", "ENABLED")`,
        `spark.sparkContext._jsc.hadoopConfiguration().set("fs.gs.requester.pays.project.id", ${JSON.stringify(target.userProject)})`,
      );
  } else {
    lines.push('# credentials: the s3a default chain (fs.s3a.aws.credentials.provider)');
    const needs = s3Needs(target);
    const conf = (k: string) => lines.push(`spark.sparkContext._jsc.hadoopConfiguration().set(${JSON.stringify(k)}, "true")`);
    if (needs.requesterPays) conf('fs.s3a.requester.pays.enabled');
    if (needs.pathStyle) conf('fs.s3a.path.style.access');
  }
  const url = (key: string) =>
    target.provider === 'azure'
      ? sas
        ? `wasbs://${target.container}@${target.account}.blob.core.windows.net/${key}`
        : hadoopUrl(target, key)
      : target.provider === 'gcs'
        ? `gs://${target.bucket}/${key}`
        : `s3a://${target.bucket}/${key}`;
  lines.push('from pyspark.sql.functions import input_file_name');
  // Spark globs any path holding {}[]*?\ : each key escaped so it matches only itself.
  lines.push(`paths = [\n${entries.map((e) => `    ${pythonString(url(hadoopLiteral(e.key)))},`).join('\n')}\n]`);
  lines.push('logs = spark.read.json(paths).withColumn("_path", input_file_name())');
  lines.push('logs.createOrReplaceTempView("logs")');
  if (o.sql?.trim())
    lines.push(
      `spark.sql(${pythonString(stripTrailingSemicolons(o.sql))}).show(truncate=False)  # written for DuckDB; adjust to Spark SQL where needed`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * The start of a glob that matches literally in ClickHouse's s3()/azureBlobStorage(): cut before
 * the first character that is glob syntax or that a URL would not carry as is (`*?{}[]`, a
 * control character, `%`…), back to a `/`. The `_path IN (…)` list does the exact choosing.
 */
function globSafePrefix(prefix: string): string {
  const bad = prefix.search(/[^A-Za-z0-9._~/=:@+ -]/);
  if (bad < 0) return prefix;
  const cut = prefix.slice(0, bad);
  return cut.slice(0, cut.lastIndexOf('/') + 1);
}

function commonPrefix(keys: string[]): string {
  if (!keys.length) return '';
  let p = keys[0]!;
  for (const k of keys) while (!k.startsWith(p)) p = p.slice(0, -1);
  // Up to the last '/', so the glob stays a folder glob.
  return p.slice(0, p.lastIndexOf('/') + 1);
}

export function emitStatement(engine: EmitEngine, target: Target, entries: Entry[], o: EmitOptions): string {
  switch (engine) {
    case 'duckdb':
      return duckdb(target, entries, o);
    case 'clickhouse':
      return clickhouse(target, entries, o);
    case 'trino':
      return trino(target, entries, o);
    case 'spark':
      return spark(target, entries, o);
  }
}
