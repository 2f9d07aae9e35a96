/**
 * npm run bench:query — `archive query` side by side with the two ways people answer the same
 * question today, on Vespa-shaped .zst access logs in Azurite (on disk):
 *
 *   archive query  --json  "count + avg per endpoint"          (one step: fetch, DuckDB)
 *   archive cat | jq -n 'reduce inputs …'                      (the streaming jq pipeline)
 *   archive pull -d DIR, then DuckDB over the local files      (the two-step floor)
 * and the p99 variant of the query (jq's usual way — collect per endpoint, sort — only on
 * --size ≤ 256 MiB: 216 s on 200 MB was measured for the issue; it is O(n log n) in jq's heap).
 *
 *   npm run bench:query [-- --size 1GiB] [--runs N] [--quick]   (--quick: 128 MiB)
 *
 * Every tool's answer is checked against the others (same counts, averages within 1e-9).
 * Peak RSS: GNU time over the pipeline's processes (for `cat | jq`, the larger of the two).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite } from '../support/emulators.js';
import { azureService } from '../support/seed.js';
import {
  BIN,
  GiB,
  MiB,
  ROOT,
  cliEnv,
  findTools,
  fmtBytes,
  fmtMs,
  fmtRss,
  log,
  machineLine,
  markdownTable,
  median,
  onCleanup,
  packageVersion,
  runMain,
  runOk,
  tempDir,
  type RunResult,
} from './lib.js';
import { parseSize } from '../../src/output/size.js';

const PATHS = [
  '/search/',
  '/document/v1/music/music/docid/',
  '/state/v1/health',
  '/status.html',
  '/search/suggest',
  '/document/v1/books/book/docid/',
];

/** A Vespa JSON access log record (the fields Vespa writes), deterministic from i and file. */
function record(file: number, i: number, t0: number): string {
  const x = Math.imul(i + 1, 2654435761) ^ Math.imul(file + 7, 40503);
  const r = (x >>> 0) / 4294967296;
  const r2 = (Math.imul(x, 1103515245) >>> 0) / 4294967296;
  return JSON.stringify({
    ip: `10.${file % 256}.${(i >> 8) % 256}.${i % 256}`,
    time: t0 + i * 0.01,
    duration: Math.round(r * 800_000) / 1_000_000,
    responsesize: Math.floor(r2 * 40_000),
    requestsize: 180,
    code: r2 < 0.02 ? 503 : 200,
    method: 'GET',
    uri: `${PATHS[Math.floor(r * PATHS.length)]}?query=term${i % 1000}&hits=10`,
    version: 'HTTP/1.1',
    agent: 'Mozilla/5.0 (X11; Linux x86_64) Vespa-bench/1.0',
    host: 'search.example.com',
    scheme: 'https',
    localport: 4443,
    peeraddr: '10.1.2.3',
    peerport: 40000 + (i % 20000),
    attributes: { 'search.hits': Math.floor(r2 * 100), 'search.totalhits': Math.floor(r * 1e5) },
  });
}

interface Answer {
  path: string;
  n: number;
  avg: number;
}

function parseArgs(argv: string[]): { size: number; runs: number } {
  let size = GiB;
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') size = 128 * MiB;
    else if (a === '--size') size = parseSize(argv[++i] ?? '', '--size');
    else if (a === '--runs') runs = Math.max(1, Number(argv[++i]));
    else if (a === '--help' || a === '-h') {
      process.stdout.write('npm run bench:query [-- --size 1GiB] [--runs N] [--quick]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return { size, runs };
}

function check(label: string, got: Answer[], want: Answer[]): void {
  const key = (a: Answer[]) => [...a].sort((x, y) => (x.path < y.path ? -1 : 1));
  const g = key(got);
  const w = key(want);
  if (g.length !== w.length) throw new Error(`${label}: ${g.length} groups, expected ${w.length}`);
  for (let i = 0; i < g.length; i++) {
    if (g[i]!.path !== w[i]!.path || g[i]!.n !== w[i]!.n || Math.abs(g[i]!.avg - w[i]!.avg) > 1e-9 * Math.max(1, w[i]!.avg)) {
      throw new Error(`${label}: ${JSON.stringify(g[i])} != ${JSON.stringify(w[i])}`);
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tools = findTools({ zstd: true });
  if (!tools.zstd) throw new Error('the zstd program is needed to make the .zst fixtures (apt-get install zstd)');
  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!jq) throw new Error('jq is needed for the jq pipeline (apt-get install jq)');
  const root = tempDir('archive-bench-query-');
  const config = path.join(root, 'config');
  mkdirSync(config);

  // ~32 MiB decoded per object (a Vespa access log rotates hourly per host).
  const perFile = Math.min(32 * MiB, args.size);
  const files = Math.max(1, Math.round(args.size / perFile));
  log(`generating ${files} × ${fmtBytes(perFile)} of Vespa access log NDJSON, zstd -3…`);
  const objects: Array<{ key: string; body: Buffer; decoded: number }> = [];
  const t0 = Date.UTC(2026, 0, 5, 0) / 1000;
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < perFile; i++) {
      const l = record(f, i, t0 + f * 3600);
      lines.push(l);
      bytes += l.length + 1;
    }
    const text = `${lines.join('\n')}\n`;
    const z = spawnSync(tools.zstd, ['-3', '-q', '-c'], { input: text, maxBuffer: 2 * perFile + MiB });
    if (z.status !== 0) throw new Error(`zstd failed: ${z.stderr}`);
    const host = `h${f % 4}.example`;
    const hour = new Date((t0 + Math.floor(f / 4) * 3600) * 1000);
    const stamp = hour.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const key = `acme/search/prod/${host}/logs/access/JsonAccessLog.default.${stamp}.zst`;
    objects.push({ key, body: z.stdout, decoded: Buffer.byteLength(text) });
  }
  const decoded = objects.reduce((s, o) => s + o.decoded, 0);
  const stored = objects.reduce((s, o) => s + o.body.length, 0);

  log('starting Azurite (on disk) and seeding…');
  const emu = await startAzurite({});
  onCleanup(() => emu.stop());
  const cc = azureService(emu).getContainerClient('vespa');
  await cc.createIfNotExists();
  for (const o of objects) await cc.getBlockBlobClient(o.key).upload(o.body, o.body.length);
  const loc = `${emu.serviceUrl}/vespa/acme/search/prod/`;
  const env = cliEnv(config, { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString });

  const AVG_SQL = "SELECT split_part(uri, '?', 1) AS path, count(*) AS n, avg(duration) AS avg FROM logs GROUP BY 1 ORDER BY 1";
  const P99_SQL =
    "SELECT split_part(uri, '?', 1) AS path, count(*) AS n, avg(duration) AS avg, quantile_cont(duration, 0.99) AS p99 FROM logs GROUP BY 1 ORDER BY 1";
  const JQ_AVG = `reduce inputs as $r ({}; ($r.uri | split("?")[0]) as $p | .[$p].n += 1 | .[$p].s += $r.duration) | to_entries | map({path: .key, n: .value.n, avg: (.value.s / .value.n)})`;
  const JQ_P99 = `reduce inputs as $r ({}; ($r.uri | split("?")[0]) as $p | .[$p] += [$r.duration]) | to_entries | map({path: .key, n: (.value | length), avg: ((.value | add) / (.value | length)), p99: (.value | sort | .[((length - 1) * 0.99 | floor)])})`;
  // The second step of the floor: DuckDB (the same package archive embeds) over the pulled files.
  // Written inside the repo so that ESM resolves '@duckdb/node-api' from node_modules.
  const duckScript = path.join(ROOT, 'test', 'bench', `.duck-local-${process.pid}.mjs`);
  writeFileSync(
    duckScript,
    `import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import path from 'node:path';
const [dir, sql] = process.argv.slice(2);
const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? d.path, d.name));
const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const c = await db.connect();
await c.run("CREATE VIEW logs AS SELECT * FROM read_json([" + files.map((f) => "'" + f + "'").join(',') + "], format='newline_delimited', union_by_name=true)");
process.stdout.write(JSON.stringify((await c.runAndReadAll(sql)).getRowObjectsJS().map((r) => ({ ...r, n: Number(r.n) }))));
`,
  );
  onCleanup(() => rmSync(duckScript, { force: true }));

  type Row = { tool: string; runs: RunResult[]; note?: string };
  const rows: Row[] = [];
  const measure = async (tool: string, fn: () => Promise<{ r: RunResult; answer: Answer[] }>, want?: Answer[]): Promise<Answer[]> => {
    const row: Row = { tool, runs: [] };
    rows.push(row);
    let answer: Answer[] = [];
    for (let i = 0; i < args.runs; i++) {
      log(`${tool} (run ${i + 1}/${args.runs})…`);
      const out = await fn();
      row.runs.push(out.r);
      answer = out.answer;
      if (want) check(tool, answer, want);
    }
    return answer;
  };
  const sh = (cmd: string) => ['-o', 'pipefail', '-c', cmd];
  const archive = `${process.execPath} ${BIN}`;

  const truth = await measure('archive query (count+avg)', async () => {
    const r = await runOk('query', process.execPath, [BIN, 'query', loc, '--json', AVG_SQL], tools, { env, stdout: 'capture' });
    return { r, answer: JSON.parse(r.stdout!) as Answer[] };
  });
  await measure(
    'archive query --memory-limit 256MiB (count+avg)',
    async () => {
      const r = await runOk('query', process.execPath, [BIN, 'query', loc, '--memory-limit', '256MiB', '--json', AVG_SQL], tools, {
        env,
        stdout: 'capture',
      });
      return { r, answer: JSON.parse(r.stdout!) as Answer[] };
    },
    truth,
  );
  await measure(
    `archive cat \\| ${jq} (count+avg)`,
    async () => {
      const r = await runOk('cat|jq', 'bash', sh(`${archive} cat ${loc} | jq -c -n '${JQ_AVG}'`), tools, { env, stdout: 'capture' });
      return { r, answer: JSON.parse(r.stdout!) as Answer[] };
    },
    truth,
  );
  const pulled = path.join(root, 'pulled');
  const twoStep = async (sql: string): Promise<{ r: RunResult; answer: Answer[] }> => {
    spawnSync('rm', ['-rf', pulled]);
    const a = await runOk('pull -d', process.execPath, [BIN, 'pull', loc, pulled, '-d'], tools, { env });
    const b = await runOk('duckdb local', process.execPath, [duckScript, pulled, sql], tools, { env, stdout: 'capture' });
    const r: RunResult = {
      ...b,
      wallMs: a.wallMs + b.wallMs,
      cpuMs: (a.cpuMs ?? 0) + (b.cpuMs ?? 0),
      rssKiB: Math.max(a.rssKiB ?? 0, b.rssKiB ?? 0),
    };
    return { r, answer: JSON.parse(b.stdout!) as Answer[] };
  };
  await measure('archive pull -d, then DuckDB on local files (count+avg)', () => twoStep(AVG_SQL), truth);
  const p99 = await measure(
    'archive query (p99)',
    async () => {
      const r = await runOk('query', process.execPath, [BIN, 'query', loc, '--json', P99_SQL], tools, { env, stdout: 'capture' });
      return { r, answer: JSON.parse(r.stdout!) as Answer[] };
    },
    truth,
  );
  await measure('archive pull -d, then DuckDB on local files (p99)', () => twoStep(P99_SQL), p99);
  if (args.size <= 256 * MiB) {
    await measure(
      `archive cat \\| ${jq} (p99)`,
      async () => {
        const r = await runOk('cat|jq', 'bash', sh(`${archive} cat ${loc} | jq -c -n '${JQ_P99}'`), tools, {
          env,
          stdout: 'capture',
          timeoutMs: 3600_000,
        });
        return { r, answer: JSON.parse(r.stdout!) as Answer[] };
      },
      truth,
    );
  } else
    rows.push({
      tool: `archive cat \\| ${jq} (p99)`,
      runs: [],
      note: 'skipped above 256 MiB (jq sorts every duration in its heap; see header)',
    });

  const base = (label: string) => median(rows.find((r) => r.tool === label)!.runs.map((r) => r.wallMs));
  const q = base('archive query (count+avg)');
  const table = rows.map((r) => {
    if (!r.runs.length) return [r.tool, '—', '—', '—', '—', r.note ?? ''];
    const wall = median(r.runs.map((x) => x.wallMs));
    const cpu = median(r.runs.map((x) => x.cpuMs ?? NaN));
    const rss = Math.max(...r.runs.map((x) => x.rssKiB ?? NaN));
    return [
      r.tool,
      fmtMs(wall),
      Number.isFinite(cpu) ? fmtMs(cpu) : 'n/a',
      fmtRss(rss),
      `${(decoded / 1e6 / (wall / 1000)).toFixed(0)} MB/s`,
      r.tool.includes('(p99)') ? '' : `${(wall / q).toFixed(2)}× query`,
    ];
  });
  process.stdout.write(
    [
      '## archive query benchmark',
      '',
      machineLine(tools, [`@duckdb/node-api ${packageVersion('@duckdb/node-api')}`, jq]),
      '',
      `Data: ${files} Vespa access-log objects, ${fmtBytes(decoded)} decoded (${(decoded / 1e6).toFixed(0)} MB), ${fmtBytes(stored)} as .zst, in Azurite on disk. Runs: ${args.runs}; median wall and CPU, largest peak RSS (GNU time: the process and its children; for the two-step rows the larger of the two steps, wall and CPU summed). MB/s = decoded MB / wall.`,
      '',
      markdownTable(['tool', 'wall', 'CPU', 'peak RSS', 'MB/s', 'vs query'], table),
      '',
      `Answers: every tool's per-endpoint counts and averages equal archive query's (p99 rows: DuckDB quantile_cont both ways).`,
      '',
    ].join('\n'),
  );
}

runMain(main);
