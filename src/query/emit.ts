/**
 * `--emit ENGINE`: the statement that makes another engine read the same time-pruned object set
 * straight from storage, for users who outgrow one machine. The object list comes from archive's
 * listing (so vendor-layout pruning and --dedupe carry over); credentials are left to the
 * engine's own chain, and no secret is printed unless --with-sas. Pure: target + entries in, text out.
 */
import type { Entry } from '../filter.js';
import type { Target } from '../target.js';
import { formatBytes } from '../output/format.js';
import { encodeKey, httpsUrl, sasOf } from './object-urls.js';
import { sqlString, stripTrailingSemicolons } from './sql-text.js';

export type EmitEngine = 'duckdb' | 'clickhouse' | 'trino' | 'spark';

export interface EmitOptions {
  sql?: string;
  withSas: boolean;
}

function where(target: Target): string {
  if (target.provider === 'gcs') return `gs://${target.bucket}`;
  return target.provider === 'azure' ? `az://${target.account}/${target.container}` : `s3://${target.bucket}`;
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
    const parts = ['TYPE s3', 'PROVIDER credential_chain'];
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
      'CREATE OR REPLACE VIEW logs AS SELECT NULL::VARCHAR AS _key, NULL::TIMESTAMP AS _time, NULL::VARCHAR AS _host, NULL::VARCHAR AS _kind WHERE false;',
    );
  } else {
    const urls = entries.map((e) => duckdbUrl(target, e, !!sas));
    const rows = entries.map(
      (e, i) =>
        `  (${sqlString(urls[i]!)}, ${sqlString(e.key)}, TIMESTAMP ${sqlString(tsText(e.time))}, ${e.facts.host ? sqlString(e.facts.host) : 'NULL'}, ${e.facts.kind ? sqlString(e.facts.kind) : 'NULL'})`,
    );
    lines.push(`CREATE OR REPLACE TABLE _objects (url VARCHAR, _key VARCHAR, _time TIMESTAMP, _host VARCHAR, _kind VARCHAR);`);
    lines.push(`INSERT INTO _objects VALUES\n${rows.join(',\n')};`);
    lines.push(
      `CREATE OR REPLACE VIEW logs AS SELECT r.* EXCLUDE (_archive_file), o._key, o._time, o._host, o._kind\nFROM read_json([\n${urls.map((u) => `  ${sqlString(u)}`).join(',\n')}\n], format = 'newline_delimited', union_by_name = true, filename = '_archive_file') r\nJOIN _objects o ON r._archive_file = o.url;`,
    );
  }
  if (o.sql?.trim()) lines.push(`${stripTrailingSemicolons(o.sql)};`);
  return `${lines.join('\n')}\n`;
}

function clickhouse(target: Target, entries: Entry[], o: EmitOptions): string {
  const lines = [header('--', target, entries)];
  const prefix = commonPrefix(entries.map((e) => e.key));
  let source: string;
  let paths: string[];
  if (target.provider === 'azure') {
    const sas = o.withSas ? sasOf(target) : undefined;
    const account = sas
      ? `${sqlString(`${target.serviceUrl.replace(/\/+$/, '')}?${sas}`)}`
      : sqlString(target.serviceUrl.replace(/\/+$/, ''));
    source = `azureBlobStorage(${account}, ${sqlString(target.container)}, ${sqlString(`${prefix}**`)}, 'JSONEachRow')`;
    if (!sas)
      lines.push(
        '-- credentials: add account_name, account_key arguments, or use a connection string / named collection; --with-sas puts the SAS in the URL',
      );
    paths = entries.map((e) => `${target.container}/${e.key}`);
  } else if (target.provider === 'gcs') {
    const base = `${(target.endpoint ?? 'https://storage.googleapis.com').replace(/\/+$/, '')}/${target.bucket}/`;
    const headers = target.userProject ? `, headers('x-goog-user-project' = ${sqlString(target.userProject)})` : '';
    source = `gcs(${sqlString(`${base}${encodeKey(prefix)}**`)}, 'JSONEachRow'${headers})`;
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
    source = `s3(${sqlString(`${base}${encodeKey(prefix)}**`)}, 'JSONEachRow'${headers})`;
    lines.push("-- credentials: add access key arguments, a named collection, or rely on the server's role");
    if (needs.requesterPays)
      lines.push(
        "-- requester pays: the bucket answers AccessDenied unless every request carries x-amz-request-payer: requester, which s3()'s headers(…) argument below sends (keep it when adding credentials)",
      );
    paths = entries.map((e) => `${target.bucket}/${e.key}`);
  }
  lines.push('-- only the listed objects are read: ClickHouse filters files on _path before fetching them');
  lines.push(
    `CREATE OR REPLACE VIEW logs AS SELECT *, _path FROM ${source}\nWHERE _path IN (\n${paths.map((p) => `  ${sqlString(p)}`).join(',\n') || "  ''"}\n);`,
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

function trino(target: Target, entries: Entry[], o: EmitOptions): string {
  const lines = [header('--', target, entries)];
  const loc =
    target.provider === 'azure'
      ? `abfss://${target.container}@${target.account}.dfs.core.windows.net/_archive_manifest/`
      : `${target.provider === 'gcs' ? 'gs' : 's3'}://${target.bucket}/_archive_manifest/`;
  lines.push('-- 1. save the manifest (the object URLs below) as a file and upload it under LOCATION:');
  lines.push("--      archive query … --emit trino | sed -n 's/^-- manifest: //p' > manifest.txt");
  for (const e of entries) lines.push(`-- manifest: ${hadoopUrl(target, e.key)}`);
  lines.push('-- 2. a symlink table over it (Trino Hive connector or Athena); one record per line, fields via json_extract:');
  lines.push(
    `CREATE EXTERNAL TABLE logs (line string)\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\u0001'\nSTORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'\nOUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\nLOCATION ${sqlString(loc)};`,
  );
  lines.push("-- e.g. SELECT json_extract_scalar(line, '$.uri') AS uri, count(*) FROM logs GROUP BY 1;");
  if (o.sql?.trim())
    lines.push(
      `-- your query (written for DuckDB over typed columns; rewrite fields as json_extract_scalar(line, '$.field')):\n-- ${stripTrailingSemicolons(o.sql).replace(/\n/g, '\n-- ')}`,
    );
  return `${lines.join('\n')}\n`;
}

function spark(target: Target, entries: Entry[], o: EmitOptions): string {
  const lines = [header('#', target, entries), '# PySpark'];
  const sas = o.withSas ? sasOf(target) : undefined;
  if (target.provider === 'azure') {
    if (sas)
      lines.push(
        `spark.conf.set(${JSON.stringify(`fs.azure.sas.${target.container}.${target.account}.blob.core.windows.net`)}, ${JSON.stringify(sas)})  # a secret`,
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
  lines.push(`paths = [\n${entries.map((e) => `    ${JSON.stringify(url(e.key))},`).join('\n')}\n]`);
  lines.push('logs = spark.read.json(paths).withColumn("_path", input_file_name())');
  lines.push('logs.createOrReplaceTempView("logs")');
  if (o.sql?.trim())
    lines.push(
      `spark.sql(${JSON.stringify(stripTrailingSemicolons(o.sql))}).show(truncate=False)  # written for DuckDB; adjust to Spark SQL where needed`,
    );
  return `${lines.join('\n')}\n`;
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
