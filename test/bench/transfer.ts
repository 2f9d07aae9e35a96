/**
 * npm run bench — `archive pull` / `archive cat` side by side with rclone and zstd, on local
 * emulators (Azurite on disk, s3rver), several runs each, medians, ratios and peak RSS; every output
 * is checked byte for byte against the generated source. CPU (user+sys) per GiB is the
 * machine-independent figure; wall time depends on the shared cores.
 *
 *   npm run bench [-- --runs N] [--quick] [--only a,b,c,d,w] [--emulators azure,s3] [--concurrency N] [--no-node24]
 *
 * Cases (per emulator):
 *   a  many files: 500 × 2 MiB incompressible     archive pull      vs rclone copy
 *   b  one 2 GiB object (ranged parts)             archive pull      vs rclone copy --multi-thread-streams
 *   c  .zst log archives (many files)              archive pull -d   vs archive pull (same Node)
 *   d  the same .zst archives, decoded to stdout   archive cat       vs zstd -dc of the same local files
 *   w  WAN-shaped (a userspace proxy: 40 ms RTT, 12 MB/s per connection): 200 × 2 MiB and
 *      1 × 1 GiB, each tool at its defaults and at matched concurrency   archive pull vs rclone copy
 * c and d run on this machine's Node and on Node 24 (npx -y -p node@24 node: native zlib zstd).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver } from '../support/emulators.js';
import { azureService, s3Client } from '../support/seed.js';
import { logData } from '../support/zstd-fixtures.js';
import { DEFAULT_CONCURRENCY } from '../../src/pull/defaults.js';
import {
  BIN,
  GiB,
  MiB,
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
  parseArgs,
  pseudoRandom,
  pseudoRandomBuffer,
  rcloneS3Env,
  runMain,
  runMeasured,
  sha256,
  startShapedLink,
  tempDir,
  verifyTree,
  type RunResult,
} from './lib.js';

type EmuName = 'azure' | 's3';

/** The WAN-shaped link of case w: a far region or a home connection to a cloud front end. */
const WAN = { rttMs: 40, bytesPerSec: 12e6 };

interface Emu {
  name: EmuName;
  label: string;
  /** archive location of a container/bucket. */
  loc(container: string): string;
  /** Environment giving archive a credential. */
  env: Record<string, string>;
  /** rclone remote path and environment. */
  remote(container: string): string;
  rcloneEnv: Record<string, string | undefined>;
  putSmall(container: string, objects: Array<{ key: string; body: Buffer }>): Promise<void>;
  putLarge(container: string, key: string, size: number, chunks: () => Iterable<Buffer>): Promise<void>;
  /** Plain GET URLs (read SAS) for curl, where the emulator can give them. */
  getUrl?(container: string, key: string): string;
  /** The emulator's TCP address (for the WAN-shaped link in front of it). */
  port: number;
  /** Location, archive env and rclone env that reach the emulator through a proxy at `url`. */
  via(url: string): { loc(container: string): string; env: Record<string, string>; rcloneEnv: Record<string, string | undefined> };
  stop(): Promise<void>;
}

async function startEmu(name: EmuName): Promise<Emu> {
  if (name === 'azure') {
    // On disk: 2 GiB objects do not belong in the emulator's heap.
    const emu = await startAzurite({});
    onCleanup(() => emu.stop());
    const svc = azureService(emu);
    const ensure = async (c: string) => {
      await svc.getContainerClient(c).createIfNotExists();
      return svc.getContainerClient(c);
    };
    return {
      name,
      label: 'Azurite',
      loc: (c) => `${emu.serviceUrl}/${c}`,
      env: { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString },
      remote: (c) => `bench:${c}`,
      rcloneEnv: {
        RCLONE_CONFIG_BENCH_TYPE: 'azureblob',
        RCLONE_CONFIG_BENCH_USE_EMULATOR: 'true',
        RCLONE_CONFIG_BENCH_ENDPOINT: emu.serviceUrl,
      },
      async putSmall(c, objects) {
        const cc = await ensure(c);
        const limit = pLimit(16);
        // Put Blob (single request): Azurite stores a Content-MD5, so both tools can check MD5.
        await Promise.all(objects.map((o) => limit(() => cc.getBlockBlobClient(o.key).upload(o.body, o.body.length))));
      },
      async putLarge(c, key, _size, chunks) {
        const cc = await ensure(c);
        // Staged blocks, as large uploads are in the cloud: no Content-MD5 (both tools check size).
        await cc.getBlockBlobClient(key).uploadStream(Readable.from(chunks()), 16 * MiB, 4);
      },
      getUrl(c, key) {
        const sas = generateAccountSASQueryParameters(
          {
            expiresOn: new Date(Date.now() + 6 * 3600_000),
            permissions: AccountSASPermissions.parse('rl'),
            resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
            services: AccountSASServices.parse('b').toString(),
          },
          new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        ).toString();
        return `${emu.serviceUrl}/${c}/${key.split('/').map(encodeURIComponent).join('/')}?${sas}`;
      },
      port: emu.port,
      via: (url) => ({
        // The location's endpoint wins over the connection string's, which only lends its key.
        loc: (c) => `${url}/${AZURITE_ACCOUNT}/${c}`,
        env: { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString },
        rcloneEnv: {
          RCLONE_CONFIG_BENCH_TYPE: 'azureblob',
          RCLONE_CONFIG_BENCH_USE_EMULATOR: 'true',
          RCLONE_CONFIG_BENCH_ENDPOINT: `${url}/${AZURITE_ACCOUNT}`,
        },
      }),
      stop: () => emu.stop(),
    };
  }
  const emu = await startS3rver();
  onCleanup(() => emu.stop());
  const client = s3Client(emu);
  const buckets = new Set<string>();
  const ensure = async (b: string) => {
    if (buckets.has(b)) return;
    await client.send(new CreateBucketCommand({ Bucket: b })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });
    buckets.add(b);
  };
  return {
    name,
    label: 's3rver',
    loc: (b) => `s3://${b}`,
    env: emu.env,
    remote: (b) => `bench:${b}`,
    rcloneEnv: rcloneS3Env(emu.endpoint),
    port: emu.port,
    via: (url) => ({
      loc: (b) => `s3://${b}`,
      env: { ...emu.env, AWS_ENDPOINT_URL_S3: url },
      rcloneEnv: rcloneS3Env(url),
    }),
    async putSmall(b, objects) {
      await ensure(b);
      const limit = pLimit(16);
      // Buffer bodies (s3rver stores streamed aws-chunked uploads with their framing); ETag = MD5.
      await Promise.all(objects.map((o) => limit(() => client.send(new PutObjectCommand({ Bucket: b, Key: o.key, Body: o.body })))));
    },
    async putLarge(b, key, _size, chunks) {
      await ensure(b);
      // Multipart, as large objects are uploaded: the ETag is not an MD5 (both tools check size).
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: key }));
      const parts: Array<{ ETag?: string; PartNumber: number }> = [];
      const limit = pLimit(3);
      const jobs: Promise<void>[] = [];
      let n = 0;
      for (const body of chunks()) {
        const PartNumber = ++n;
        jobs.push(
          limit(async () => {
            const r = await client.send(new UploadPartCommand({ Bucket: b, Key: key, UploadId, PartNumber, Body: body }));
            parts.push({ ETag: r.ETag, PartNumber });
          }),
        );
        // Bounded memory: do not generate far ahead of the uploads.
        if (jobs.length % 3 === 0) await Promise.all(jobs.slice(-3));
      }
      await Promise.all(jobs);
      parts.sort((x, y) => x.PartNumber - y.PartNumber);
      await client.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    },
    async stop() {
      client.destroy();
      await emu.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// data sets

interface SmallSet {
  objects: () => Array<{ key: string; body: Buffer }>;
  expected: Map<string, string>;
  /** MD5 hex per key (what the service stores as Content-MD5). */
  md5: Map<string, string>;
  bytes: number;
  count: number;
}

/** Node floor for case a: argv = JSON file of [url, path, md5-hex], concurrency. */
const NODE_FLOOR_CLIENT = `
import http from 'node:http'; import { createHash } from 'node:crypto'; import { mkdir, open, readFile } from 'node:fs/promises'; import path from 'node:path';
const jobs = JSON.parse(await readFile(process.argv[2], 'utf8')); const agent = new http.Agent({ keepAlive: true });
async function one([url, file, md5]) {
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'w'); const h = createHash('md5');
  try {
    const res = await new Promise((ok, fail) => http.get(url, { agent }, ok).on('error', fail));
    if (res.statusCode !== 200) throw new Error(url + ': HTTP ' + res.statusCode);
    let pending = [], bytes = 0, pos = 0;
    for await (const c of res) { h.update(c); pending.push(c); bytes += c.length; if (bytes >= 1 << 20) { pos += (await fh.writev(pending, pos)).bytesWritten; pending = []; bytes = 0; } }
    if (bytes) await fh.writev(pending, pos);
  } finally { await fh.close(); }
  if (h.digest('hex') !== md5) throw new Error(file + ': MD5 mismatch');
}
let next = 0;
await Promise.all(Array.from({ length: Number(process.argv[3]) }, async () => { while (next < jobs.length) await one(jobs[next++]); }));
agent.destroy();
`;

function manyFiles(count: number, size: number): SmallSet {
  const pad = (x: number) => String(x).padStart(2, '0');
  const keyOf = (i: number) => {
    const t = new Date(Date.UTC(2026, 0, 5) + i * 60_000);
    return `acme/search/prod/h${i % 10}.vespa.example/logs/access/JsonAccessLog.default.${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}00.log`;
  };
  const expected = new Map<string, string>();
  const md5 = new Map<string, string>();
  const objects = () => {
    const out = Array.from({ length: count }, (_, i) => ({ key: keyOf(i), body: pseudoRandomBuffer(size, `a/${i}`) }));
    for (const o of out) {
      expected.set(o.key, sha256(o.body));
      md5.set(o.key, createHash('md5').update(o.body).digest('hex'));
    }
    return out;
  };
  return { objects, expected, md5, bytes: count * size, count };
}

interface ZstSet {
  /** Sorted keys with compressed bodies; local copies under `dir`. */
  objects: Array<{ key: string; body: Buffer }>;
  dir: string;
  localFiles: string[];
  rawExpected: Map<string, string>;
  decodedExpected: Map<string, string>;
  /** sha256 of all decoded bodies concatenated in key order (what cat --order key prints). */
  catSha: string;
  rawBytes: number;
  decodedBytes: number;
}

/** Vespa-shaped .zst access logs made by the zstd program (every 4th one in two frames, as rotation concatenates). */
function zstFiles(zstd: string, count: number, size: number, root: string): ZstSet {
  const pool = logData(Math.max(3 * size, 24 * MiB), 11);
  const pad = (x: number) => String(x).padStart(2, '0');
  const keys = Array.from({ length: count }, (_, i) => {
    const t = new Date(Date.UTC(2026, 0, 5) + i * 300_000);
    return `acme/search/prod/h${i % 4}.vespa.example/logs/access/JsonAccessLog.default.${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}00.zst`;
  }).sort();
  const dir = path.join(root, 'zst-local');
  const compress = (b: Buffer): Buffer => {
    const r = spawnSync(zstd, ['-3', '-q', '-c'], { input: b, maxBuffer: 4 * size + MiB });
    if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
    return r.stdout;
  };
  const set: ZstSet = {
    objects: [],
    dir,
    localFiles: [],
    rawExpected: new Map(),
    decodedExpected: new Map(),
    catSha: '',
    rawBytes: 0,
    decodedBytes: 0,
  };
  const cat = createHash('sha256');
  keys.forEach((key, i) => {
    const head = Buffer.from(`{"file":${i},"key":${JSON.stringify(key)}}\n`);
    const off = (i * 7_919_993) % (pool.length - size);
    const plain = Buffer.concat([head, pool.subarray(off, off + size - head.length)]);
    const body =
      i % 4 === 3 ? Buffer.concat([compress(plain.subarray(0, size >> 1)), compress(plain.subarray(size >> 1))]) : compress(plain);
    const local = path.join(dir, key);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, body);
    set.objects.push({ key, body });
    set.localFiles.push(local);
    set.rawExpected.set(key, sha256(body));
    set.decodedExpected.set(key.replace(/\.zst$/, ''), sha256(plain));
    cat.update(plain);
    set.rawBytes += body.length;
    set.decodedBytes += plain.length;
  });
  set.catSha = cat.digest('hex');
  return set;
}

// ---------------------------------------------------------------------------------------------
// results

interface Row {
  caseId: string;
  caseLabel: string;
  emulator: string;
  tool: string;
  runs: RunResult[];
  /** Bytes written to the output (files or stdout), for MB/s. */
  outBytes: number;
  /** Tool name (same case and emulator) this row's wall time is compared with. */
  baseline?: string;
  /** Wall ratio target vs the baseline, e.g. 0.8. */
  target?: number;
  /** CPU (user+sys) ratio target vs the baseline. */
  cpuTarget?: number;
  /** Extra text for the target column (e.g. share of a shaped link's capacity). */
  note?: string;
  problem?: string;
}

const rows: Row[] = [];

function addRow(r: Omit<Row, 'runs'>): Row {
  const row: Row = { ...r, runs: [] };
  rows.push(row);
  return row;
}

function renderTable(): string {
  const headers = [
    'case',
    'emulator',
    'tool',
    'median wall',
    'MB/s',
    'CPU user+sys',
    'CPU s/GiB',
    'peak RSS',
    'wall ratio',
    'CPU ratio',
    'target',
  ];
  const out: string[][] = [];
  for (const r of rows) {
    const walls = r.runs.map((x) => x.wallMs);
    if (!walls.length) {
      if (r.problem) out.push([r.caseLabel, r.emulator, r.tool, 'n/a', '', '', '', '', '', '', `WRONG OUTPUT: ${r.problem}`]);
      continue;
    }
    const med = median(walls);
    const cpu = r.runs.map((x) => x.cpuMs).filter((x): x is number => x !== undefined);
    const rss = r.runs.map((x) => x.rssKiB).filter((x): x is number => x !== undefined);
    const base = r.baseline
      ? rows.find((b) => b.caseId === r.caseId && b.emulator === r.emulator && b.tool === r.baseline && b.runs.length)
      : undefined;
    const ratio = base ? med / median(base.runs.map((x) => x.wallMs)) : undefined;
    const baseCpu = base?.runs.map((x) => x.cpuMs).filter((x): x is number => x !== undefined) ?? [];
    const cpuRatio = base && cpu.length && baseCpu.length ? median(cpu) / median(baseCpu) : undefined;
    const targets: string[] = [];
    if (r.target !== undefined && ratio !== undefined)
      targets.push(`wall ≤ ${r.target.toFixed(2)}× ${ratio <= r.target ? 'met' : 'NOT met'}`);
    if (r.cpuTarget !== undefined && cpuRatio !== undefined)
      targets.push(`CPU ≤ ${r.cpuTarget.toFixed(1)}× ${cpuRatio <= r.cpuTarget ? 'met' : 'NOT met'}`);
    if (r.note) targets.push(r.note);
    let target = targets.join('; ');
    if (r.problem) target = `WRONG OUTPUT: ${r.problem}`;
    out.push([
      r.caseLabel,
      r.emulator,
      r.tool,
      `${fmtMs(med)}${walls.length > 1 ? ` (${fmtMs(Math.min(...walls))}–${fmtMs(Math.max(...walls))})` : ''}`,
      (r.outBytes / 1e6 / (med / 1000)).toFixed(0),
      cpu.length ? fmtMs(median(cpu)) : 'n/a',
      cpu.length ? (median(cpu) / 1000 / (r.outBytes / GiB)).toFixed(2) : 'n/a',
      rss.length ? fmtRss(Math.max(...rss)) : 'n/a',
      ratio !== undefined ? `${ratio.toFixed(2)}× ${r.baseline}` : r.baseline === undefined ? 'baseline' : 'n/a',
      cpuRatio !== undefined ? `${cpuRatio.toFixed(2)}×` : '',
      target,
    ]);
  }
  return markdownTable(headers, out);
}

// ---------------------------------------------------------------------------------------------

interface Tool {
  row: Row;
  /** Runs the tool once; returns the measurement. `out` is a fresh, absent output dir. */
  run(out: string): Promise<RunResult>;
  /** Checks the output of a run; returns a problem or undefined. */
  verify(out: string, r: RunResult): Promise<string | undefined>;
}

async function runTools(label: string, tools: Tool[], runs: number, scratch: string): Promise<void> {
  for (let i = 0; i < runs; i++) {
    // Alternate the order so that drift (page cache, thermal, other load) is shared.
    const order = i % 2 ? [...tools].reverse() : tools;
    for (const t of order) {
      const out = path.join(scratch, `out-${i}`);
      rmSync(out, { recursive: true, force: true });
      const r = await t.run(out);
      const bad =
        r.code !== 0 ? `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : await t.verify(out, r);
      rmSync(out, { recursive: true, force: true });
      spawnSync('sync');
      if (bad) {
        t.row.problem ??= bad;
        log(`  ${label} / ${t.row.tool} run ${i + 1}: FAILED CHECK: ${bad}`);
      } else {
        log(
          `  ${label} / ${t.row.tool} run ${i + 1}/${runs}: ${fmtMs(r.wallMs)}, ${(t.row.outBytes / 1e6 / (r.wallMs / 1000)).toFixed(0)} MB/s, RSS ${fmtRss(r.rssKiB)} — output verified`,
        );
      }
      t.row.runs.push(r);
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { emulators: ['azure', 's3'] });
  if (args.help) {
    process.stdout.write(
      'npm run bench [-- --runs N (default 3; --quick: 1)] [--quick] [--only a,b,c,d,w] [--emulators azure,s3] [--concurrency N (default 8)] [--no-node24]\n',
    );
    return;
  }
  const runsGiven = process.argv.includes('--runs') || process.argv.some((a) => a.startsWith('--runs='));
  const runs = args.quick && !runsGiven ? 1 : args.runs;
  const want = (c: string) => !args.only || args.only.has(c);
  const conc = args.concurrency;
  const size = args.quick
    ? { aCount: 50, aSize: 2 * MiB, bSize: 256 * MiB, zCount: 24, zSize: 4 * MiB, wCount: 50, wBig: 256 * MiB }
    : { aCount: 500, aSize: 2 * MiB, bSize: 2 * GiB, zCount: 96, zSize: 8 * MiB, wCount: 200, wBig: 1 * GiB };
  let wBigSha: string | undefined;

  const tools = findTools({
    rclone: want('a') || want('b') || want('w'),
    curl: want('a'),
    zstd: want('c') || want('d'),
    node24: args.node24 && (want('c') || want('d')),
  });
  for (const n of tools.notes) log(n);
  const root = tempDir('archive-bench-');
  const config = path.join(root, 'config');
  mkdirSync(config);
  const scratch = path.join(root, 'scratch');
  mkdirSync(scratch);
  const loadStart = os.loadavg();

  const nodes: Array<{ label: string; exec: string; native: boolean }> = [
    { label: `Node ${process.versions.node.split('.')[0]}`, exec: process.execPath, native: false },
  ];
  if (tools.node24) nodes.push({ label: 'Node 24', exec: tools.node24, native: true });

  let zset: ZstSet | undefined;
  if ((want('c') || want('d')) && tools.zstd) {
    log(`generating ${size.zCount} .zst log archives of ${fmtBytes(size.zSize)} decoded each (zstd -3)…`);
    zset = zstFiles(tools.zstd, size.zCount, size.zSize, root);
    log(`  ${fmtBytes(zset.rawBytes)} compressed, ${fmtBytes(zset.decodedBytes)} decoded`);
  }
  const aSet = manyFiles(size.aCount, size.aSize);
  const bKey = 'dumps/h1.vespa.example/jvm-heap-dump.20260105T170000Z.hprof';
  let bSha: string | undefined;
  const bChunks = (chunk: number) => {
    const h = bSha === undefined ? createHash('sha256') : undefined;
    const gen = pseudoRandom(size.bSize, 'b/heap', chunk);
    return (function* () {
      for (const c of gen) {
        h?.update(c);
        yield c;
      }
      if (h) bSha = h.digest('hex');
    })();
  };

  const aLabel = `a: ${size.aCount} × ${fmtBytes(size.aSize)}`;
  const bLabel = `b: 1 × ${fmtBytes(size.bSize)}`;
  const cLabel = zset ? `c: ${size.zCount} × .zst (${fmtBytes(zset.rawBytes)} → ${fmtBytes(zset.decodedBytes)})` : 'c';
  const dLabel = zset ? `d: cat ${size.zCount} × .zst (→ ${fmtBytes(zset.decodedBytes)})` : 'd';
  const archive = (
    exec: string,
    argv: string[],
    emu: Emu,
    extra: Record<string, string | undefined> = {},
    stdout: 'null' | 'hash' = 'null',
  ) => runMeasured(exec, [BIN, ...argv], tools, { env: cliEnv(config, { ...emu.env, ...extra }), stdout });
  const rclone = (argv: string[], emu: Emu) =>
    runMeasured(tools.rclone!, argv, tools, { env: cliEnv(config, { ...emu.rcloneEnv, RCLONE_CONFIG: path.join(config, 'rclone.conf') }) });
  const rcloneFlags = [
    '--transfers',
    String(conc),
    '--checkers',
    String(conc),
    '--multi-thread-streams',
    String(conc),
    '--multi-thread-cutoff',
    '64M',
    '-q',
  ];

  for (const name of args.emulators) {
    log(`starting ${name === 'azure' ? 'Azurite (on disk)' : 's3rver'}…`);
    const emu = await startEmu(name);

    if (want('a')) {
      log(`[a] seeding ${aSet.count} × ${fmtBytes(size.aSize)} into ${emu.label}…`);
      await emu.putSmall('bench-a', aSet.objects());
      const ts: Tool[] = [
        {
          row: addRow({
            caseId: 'a',
            caseLabel: aLabel,
            emulator: emu.label,
            tool: `archive pull -c ${conc}`,
            outBytes: aSet.bytes,
            baseline: tools.rclone ? 'rclone copy' : undefined,
            target: 1.2,
            cpuTarget: 1.5,
          }),
          run: (out) => archive(process.execPath, ['pull', emu.loc('bench-a'), out, '-c', String(conc), '-q'], emu),
          verify: (out) => verifyTree(out, aSet.expected),
        },
        {
          // The same build with object reads through the SDK (before the lean GET path).
          row: addRow({
            caseId: 'a',
            caseLabel: aLabel,
            emulator: emu.label,
            tool: `archive pull -c ${conc} (SDK reads)`,
            outBytes: aSet.bytes,
            baseline: tools.rclone ? 'rclone copy' : undefined,
          }),
          run: (out) =>
            archive(process.execPath, ['pull', emu.loc('bench-a'), out, '-c', String(conc), '-q'], emu, { ARCHIVE_READ_PATH: 'sdk' }),
          verify: (out) => verifyTree(out, aSet.expected),
        },
      ];
      if (tools.rclone) {
        ts.push({
          row: addRow({ caseId: 'a', caseLabel: aLabel, emulator: emu.label, tool: 'rclone copy', outBytes: aSet.bytes }),
          run: (out) => rclone(['copy', emu.remote('bench-a'), out, ...rcloneFlags], emu),
          verify: (out) => verifyTree(out, aSet.expected),
        });
      }
      if (tools.curl && emu.getUrl) {
        // The same GETs from a C client into files: what the emulator can serve on this machine.
        const cfg = path.join(root, 'curl-a.cfg');
        ts.push({
          row: addRow({
            caseId: 'a',
            caseLabel: aLabel,
            emulator: emu.label,
            tool: `curl -Z (C client; emulator floor)`,
            outBytes: aSet.bytes,
            baseline: tools.rclone ? 'rclone copy' : undefined,
          }),
          run: (out) => {
            writeFileSync(
              cfg,
              [...aSet.expected.keys()].map((k) => `url = "${emu.getUrl!('bench-a', k)}"\noutput = "${path.join(out, k)}"\n`).join(''),
            );
            return runMeasured(tools.curl!, ['-Z', '--parallel-max', String(conc), '--create-dirs', '-sS', '--fail', '-K', cfg], tools);
          },
          verify: (out) => verifyTree(out, aSet.expected),
        });
      }
      if (emu.getUrl) {
        // The least a Node client can do for the same job (keep-alive GETs, MD5 checked, 1 MiB
        // positioned writes; no SDK, no retries, no part files): Node's own floor on this machine.
        const list = path.join(root, 'node-a.json');
        const script = path.join(root, 'node-floor.mjs');
        writeFileSync(script, NODE_FLOOR_CLIENT);
        ts.push({
          row: addRow({
            caseId: 'a',
            caseLabel: aLabel,
            emulator: emu.label,
            tool: `minimal Node client (Node floor)`,
            outBytes: aSet.bytes,
            baseline: tools.rclone ? 'rclone copy' : undefined,
          }),
          run: (out) => {
            writeFileSync(
              list,
              JSON.stringify([...aSet.expected.keys()].map((k) => [emu.getUrl!('bench-a', k), path.join(out, k), aSet.md5.get(k)])),
            );
            return runMeasured(process.execPath, [script, list, String(conc)], tools);
          },
          verify: (out) => verifyTree(out, aSet.expected),
        });
      }
      await runTools('a', ts, runs, scratch);
    }

    if (want('b')) {
      log(`[b] seeding 1 × ${fmtBytes(size.bSize)} into ${emu.label}…`);
      await emu.putLarge('bench-b', bKey, size.bSize, () => bChunks(name === 's3' ? 64 * MiB : 16 * MiB));
      const expected = new Map([[bKey, bSha!]]);
      const ts: Tool[] = [
        {
          row: addRow({
            caseId: 'b',
            caseLabel: bLabel,
            emulator: emu.label,
            tool: `archive pull -c ${conc}`,
            outBytes: size.bSize,
            baseline: tools.rclone ? 'rclone copy' : undefined,
            target: 1.0,
            cpuTarget: 2,
          }),
          run: (out) => archive(process.execPath, ['pull', emu.loc('bench-b'), out, '-c', String(conc), '-q'], emu),
          verify: (out) => verifyTree(out, expected),
        },
        {
          row: addRow({
            caseId: 'b',
            caseLabel: bLabel,
            emulator: emu.label,
            tool: `archive pull -c ${conc} (SDK reads)`,
            outBytes: size.bSize,
            baseline: tools.rclone ? 'rclone copy' : undefined,
          }),
          run: (out) =>
            archive(process.execPath, ['pull', emu.loc('bench-b'), out, '-c', String(conc), '-q'], emu, { ARCHIVE_READ_PATH: 'sdk' }),
          verify: (out) => verifyTree(out, expected),
        },
      ];
      if (tools.rclone) {
        ts.push({
          row: addRow({ caseId: 'b', caseLabel: bLabel, emulator: emu.label, tool: 'rclone copy', outBytes: size.bSize }),
          run: (out) => rclone(['copy', emu.remote('bench-b'), out, ...rcloneFlags], emu),
          verify: (out) => verifyTree(out, expected),
        });
      }
      await runTools('b', ts, runs, scratch);
    }

    if (want('w') && tools.rclone) {
      // What users feel: a far-away service. Each tool at its defaults, then at matched concurrency.
      const link = await startShapedLink({ host: '127.0.0.1', port: emu.port }, { rttMs: WAN.rttMs, bytesPerSec: WAN.bytesPerSec });
      onCleanup(() => link.stop());
      const via = emu.via(link.url);
      const wSet = manyFiles(size.wCount, 2 * MiB);
      log(`[w] seeding ${wSet.count} × 2 MiB and 1 × ${fmtBytes(size.wBig)} into ${emu.label} (direct)…`);
      await emu.putSmall('bench-w', wSet.objects());
      await emu.putLarge('bench-wb', bKey, size.wBig, () => {
        const h = createHash('sha256');
        const gen = pseudoRandom(size.wBig, 'w/heap', name === 's3' ? 64 * MiB : 16 * MiB);
        return (function* () {
          for (const c of gen) {
            h.update(c);
            yield c;
          }
          wBigSha = h.digest('hex');
        })();
      });
      const bigExpected = new Map([[bKey, wBigSha!]]);
      const wArchive = (argv: string[]) => runMeasured(process.execPath, [BIN, ...argv], tools, { env: cliEnv(config, via.env) });
      const wRclone = (argv: string[]) =>
        runMeasured(tools.rclone!, argv, tools, {
          env: cliEnv(config, { ...via.rcloneEnv, RCLONE_CONFIG: path.join(config, 'rclone.conf') }),
        });
      const shaped = `${WAN.rttMs} ms RTT, ${(WAN.bytesPerSec / 1e6).toFixed(0)} MB/s per connection`;
      for (const [id, label, container, bytes, expected] of [
        ['w1', `w: ${wSet.count} × 2 MiB over WAN (${shaped})`, 'bench-w', wSet.bytes, wSet.expected],
        ['w2', `w: 1 × ${fmtBytes(size.wBig)} over WAN (${shaped})`, 'bench-wb', size.wBig, bigExpected],
      ] as const) {
        const peak = new Map<Row, number[]>();
        const measured = (row: Row, run: (out: string) => Promise<RunResult>) => async (out: string) => {
          link.reset();
          const r = await run(out);
          peak.set(row, [...(peak.get(row) ?? []), link.peakConnections()]);
          return r;
        };
        const mk = (
          tool: string,
          baseline: string | undefined,
          target: number | undefined,
          run: (out: string) => Promise<RunResult>,
        ): Tool => {
          const row = addRow({ caseId: id, caseLabel: label, emulator: emu.label, tool, outBytes: bytes, baseline, target });
          return { row, run: measured(row, run), verify: (out) => verifyTree(out, expected) };
        };
        const ts: Tool[] = [
          mk('archive pull (defaults)', 'rclone copy (defaults)', 1 / 1.3, (out) => wArchive(['pull', via.loc(container), out, '-q'])),
          mk('rclone copy (defaults)', undefined, undefined, (out) => wRclone(['copy', `bench:${container}`, out, '-q'])),
          mk(`archive pull -c ${conc}`, `rclone copy (${conc} streams)`, undefined, (out) =>
            wArchive(['pull', via.loc(container), out, '-c', String(conc), '-q']),
          ),
          mk(`rclone copy (${conc} streams)`, undefined, undefined, (out) => wRclone(['copy', `bench:${container}`, out, ...rcloneFlags])),
        ];
        await runTools(id, ts, runs, scratch);
        for (const t of ts) {
          const conns = Math.max(...(peak.get(t.row) ?? [0]));
          const walls = t.row.runs.map((x) => x.wallMs);
          if (!walls.length || !conns) continue;
          const rate = t.row.outBytes / (median(walls) / 1000);
          // The link a tool can use is its open connections × the per-connection cap.
          t.row.note = `${conns} conns, ${((100 * rate) / (conns * WAN.bytesPerSec)).toFixed(0)}% of their shaped capacity`;
        }
      }
      await link.stop();
    }

    if ((want('c') || want('d')) && zset) {
      log(`[c/d] seeding ${zset.objects.length} .zst archives into ${emu.label}…`);
      await emu.putSmall('bench-zst', zset.objects);
    }
    if (want('c') && zset) {
      const z = zset;
      const ts: Tool[] = [];
      for (const node of nodes) {
        const plain = `archive pull (${node.label})`;
        ts.push({
          row: addRow({ caseId: 'c', caseLabel: cLabel, emulator: emu.label, tool: plain, outBytes: z.rawBytes }),
          run: (out) => archive(node.exec, ['pull', emu.loc('bench-zst'), out, '-c', String(conc), '-q'], emu),
          verify: (out) => verifyTree(out, z.rawExpected),
        });
        const decoders: Array<'native' | 'binary' | 'fzstd'> = node.native ? ['native'] : ['binary', 'fzstd'];
        for (const dec of decoders) {
          ts.push({
            row: addRow({
              caseId: 'c',
              caseLabel: cLabel,
              emulator: emu.label,
              tool: `archive pull -d (${node.label}, ${dec})`,
              outBytes: z.decodedBytes,
              baseline: plain,
              target: 1.2,
            }),
            run: (out) =>
              archive(node.exec, ['pull', emu.loc('bench-zst'), out, '-c', String(conc), '-q', '--decompress'], emu, {
                ARCHIVE_ZSTD_DECODER: dec,
              }),
            verify: (out) => verifyTree(out, z.decodedExpected),
          });
        }
      }
      await runTools('c', ts, runs, scratch);
    }
    if (want('d') && zset) {
      const z = zset;
      const ts: Tool[] = [
        {
          row: addRow({ caseId: 'd', caseLabel: dLabel, emulator: emu.label, tool: 'zstd -dc (local files)', outBytes: z.decodedBytes }),
          run: () => runMeasured(tools.zstd!, ['-dcq', ...z.localFiles], tools, { stdout: 'null' }),
          verify: async () => undefined,
        },
        {
          row: addRow({
            caseId: 'd',
            caseLabel: dLabel,
            emulator: emu.label,
            tool: `archive cat --raw (${nodes[0]!.label}, no decode)`,
            outBytes: z.rawBytes,
            baseline: 'zstd -dc (local files)',
          }),
          run: () => archive(nodes[0]!.exec, ['cat', emu.loc('bench-zst'), '--order', 'key', '--raw'], emu),
          verify: async () => undefined,
        },
      ];
      const native = nodes.find((n) => n.native);
      const decodeAlone = path.join(root, 'zlib-zstd-alone.mjs');
      if (native) {
        // Node's own zlib zstd on the local files, no network, no archive code: the ceiling of the
        // native decoder on this machine (libzstd as built into Node, 1 MiB output chunks).
        writeFileSync(
          decodeAlone,
          `import fs from 'node:fs'; import zlib from 'node:zlib'; import { pipeline } from 'node:stream/promises';\n` +
            `for (const f of process.argv.slice(2)) await pipeline(fs.createReadStream(f, { highWaterMark: 1 << 20 }), zlib.createZstdDecompress({ chunkSize: 1 << 20 }), process.stdout, { end: false });\n`,
        );
        ts.push({
          row: addRow({
            caseId: 'd',
            caseLabel: dLabel,
            emulator: emu.label,
            tool: `Node 24 zlib zstd alone (local files)`,
            outBytes: z.decodedBytes,
            baseline: 'zstd -dc (local files)',
          }),
          run: () => runMeasured(native.exec, [decodeAlone, ...z.localFiles], tools, { stdout: 'null' }),
          verify: async () => undefined,
        });
      }
      for (const node of nodes) {
        const decoders: Array<'native' | 'binary' | 'fzstd'> = node.native ? ['native'] : ['binary', 'fzstd'];
        for (const dec of decoders) {
          ts.push({
            row: addRow({
              caseId: 'd',
              caseLabel: dLabel,
              emulator: emu.label,
              tool: `archive cat (${node.label}, ${dec})`,
              outBytes: z.decodedBytes,
              baseline: 'zstd -dc (local files)',
              target: node.native ? 1.6 : undefined,
            }),
            run: () => archive(node.exec, ['cat', emu.loc('bench-zst'), '--order', 'key'], emu, { ARCHIVE_ZSTD_DECODER: dec }),
            verify: async () => undefined,
          });
        }
      }
      // Correctness once per tool (stdout hashed by the harness, untimed), then timed runs to /dev/null.
      log('[d] verifying decoded streams (sha256 of stdout)…');
      const rawSha = createHash('sha256')
        .update(Buffer.concat(z.objects.map((o) => o.body)))
        .digest('hex');
      for (const t of ts) {
        let r: RunResult;
        let want = z.catSha;
        if (t.row.tool.startsWith('zstd'))
          r = await runMeasured(tools.zstd!, ['-dcq', ...z.localFiles], tools, { stdout: 'hash', rss: false });
        else if (t.row.tool.includes('alone'))
          r = await runMeasured(native!.exec, [decodeAlone, ...z.localFiles], tools, { stdout: 'hash', rss: false });
        else {
          const raw = t.row.tool.includes('--raw');
          const node = nodes.find((n) => t.row.tool.includes(`(${n.label}`))!;
          const dec = /(native|binary|fzstd)\)/.exec(t.row.tool)?.[1];
          const argv = [BIN, 'cat', emu.loc('bench-zst'), '--order', 'key', ...(raw ? ['--raw'] : [])];
          r = await runMeasured(node.exec, argv, tools, {
            env: cliEnv(config, { ...emu.env, ...(dec ? { ARCHIVE_ZSTD_DECODER: dec } : {}) }),
            stdout: 'hash',
            rss: false,
          });
          if (raw) want = rawSha;
        }
        if (r.code !== 0) t.row.problem = `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
        else if (r.stdoutSha256 !== want)
          t.row.problem = `stdout sha256 differs (${r.stdoutBytes} bytes, expected ${t.row.tool.includes('--raw') ? z.rawBytes : z.decodedBytes})`;
        if (r.stderr.trim()) log(`  ${t.row.tool} stderr: ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
        log(`  ${t.row.tool}: ${t.row.problem ?? 'ok'}`);
      }
      await runTools(
        'd',
        ts.filter((t) => !t.row.problem),
        runs,
        scratch,
      );
    }

    log(`stopping ${emu.label}…`);
    await emu.stop();
  }

  const notes = [
    `Runs: ${runs} per tool, interleaved (order alternates per run); median wall, its range, median CPU (user+sys) and the largest peak RSS over the runs (${tools.time ? 'GNU time: the process and its waited-for children, e.g. a zstd decoder' : 'VmHWM of the CLI process only'}). MB/s = bytes written (files or stdout) / median wall, 1 MB = 10^6 B.`,
    `Every output was checked: pulled trees compared file by file (sha256 of every file, no missing or extra file, no part file left) after every run; cat/zstd stdout sha256 once per tool before the timed runs (those write to /dev/null).`,
    `w: every byte through a userspace TCP proxy in this process that waits one RTT (${WAN.rttMs} ms) before a connection's first byte, delays every chunk by RTT/2 each way and paces each connection's downstream at ${(WAN.bytesPerSec / 1e6).toFixed(0)} MB/s (a per-flow bottleneck). "defaults" = no tuning flags (archive: -c ${DEFAULT_CONCURRENCY}; rclone: --transfers 4, --multi-thread-streams 4 from 256 MiB); target: archive ≥ 1.3× rclone's throughput at defaults (wall ≤ 0.77×). "% of their shaped capacity" = MB/s over (peak open connections × per-connection cap).`,
    `archive: \`archive pull LOC DEST -c ${conc} -q\` (defaults otherwise: ranged parts of 16 MiB from 64 MiB up). rclone: \`rclone copy REMOTE DEST ${rcloneFlags.join(' ')}\` (Azurite: RCLONE_CONFIG_X_TYPE=azureblob, _USE_EMULATOR=true, _ENDPOINT; s3rver: _TYPE=s3, _PROVIDER=Other, _ENDPOINT, _FORCE_PATH_STYLE=true).`,
    'Small objects are single-request uploads (Azurite Content-MD5, S3 MD5 ETag: both tools verify MD5); the large one is block/multipart-uploaded (no MD5: both check size).',
    "Floors: `minimal Node client` is ~20 lines of plain node:http (keep-alive, MD5 checked, 1 MiB writev, no SDK/retries/part files): the least any Node CLI can spend on case a here. `curl -Z` fetches the same objects from the same emulator into files with a C client (no MD5): the serving limit of the emulator on this machine. `Node 24 zlib zstd alone` decodes the local files with Node's zlib and nothing else: the limit of the native decoder as Node builds libzstd (no network, no archive code).",
    'c: ratio is `pull --decompress` wall over plain `pull` of the same objects on the same Node (target ≤ 1.2×); decoders forced with ARCHIVE_ZSTD_DECODER. d: ratio is wall over `zstd -dc` of the same files from local disk (target ≤ 2× wall, i.e. ≥ 0.5× the speed, with native zstd); `cat --raw` shows the transfer floor without decoding.',
    ...tools.notes,
  ];
  const out = [
    `## archive pull / cat benchmark (${new Date().toISOString().slice(0, 10)}${args.quick ? ', --quick' : ''})`,
    '',
    renderTable(),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    machineLine(tools, [
      `load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    ]),
    '',
  ];
  process.stdout.write(out.join('\n'));
  if (rows.some((r) => r.problem)) {
    log('some outputs were WRONG (see the table): exit 1');
    process.exitCode = 1;
  }
}

runMain(main);
