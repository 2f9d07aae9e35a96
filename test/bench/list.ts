/**
 * npm run bench:list — `archive list` over 100k keys on Azurite (on disk) and `archive --help` cold
 * start. Wall time and the CLI child's peak RSS; a Markdown table on stdout, progress on stderr.
 *
 *   npm run bench:list [-- --runs N] [--keys N] [--quick]
 *
 * The seeded Azurite data directory is cached in .bench/ keyed by a version string (key count,
 * key-set version, azurite version) and copied into a temp dir for every run.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { createRequire } from 'node:module';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type AzuriteEmulator } from '../support/emulators.js';
import { azureService } from '../support/seed.js';
import {
  BIN,
  CACHE_DIR,
  cliEnv,
  findTools,
  fmtMs,
  fmtRss,
  log,
  machineLine,
  markdownTable,
  median,
  onCleanup,
  packageVersion,
  parseArgs,
  runMain,
  runOk,
  tempDir,
  type RunResult,
} from './lib.js';

const CONTAINER = 'bench-list';
/** Bump when the generated key set changes, so a stale cache is not reused. */
const KEYSET_VERSION = 'v1';

/** Vendor-shaped keys (Vespa, Cloudflare with daily folders, Amplitude), deterministic. */
function* keys(n: number): Generator<{ key: string; size: number }> {
  const base = Date.UTC(2026, 0, 1);
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  const stamp = (t: Date, sep = false) =>
    sep
      ? `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}Z`
      : `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  for (let i = 0; i < n; i++) {
    const size = 200 + ((i * 2654435761) >>> 0) % 4000;
    const kind = i % 20;
    if (kind < 12) {
      // Vespa: 48 hosts, one file per host every 5 minutes, plus connection logs.
      const host = i % 48;
      const t = new Date(base + Math.floor(i / 48) * 300_000);
      const type = kind < 10 ? 'access/JsonAccessLog.default' : 'connection/ConnectionLog.default';
      yield { key: `acme/search/prod/h${pad(host, 3)}.vespa.example/logs/${type}.${stamp(t)}.zst`, size };
    } else if (kind < 17) {
      const t = new Date(base + i * 30_000);
      const e = new Date(t.getTime() + 30_000);
      const day = stamp(t).slice(0, 8);
      yield { key: `logpush/http_requests/${day}/${stamp(t, true)}_${stamp(e, true)}_${((i * 40503) >>> 0).toString(16).padStart(8, '0')}.log.gz`, size };
    } else {
      const t = new Date(base + Math.floor(i / 8) * 3_600_000);
      const date = t.toISOString().slice(0, 10);
      yield { key: `amplitude/187520/187520_${date}_${t.getUTCHours()}#${i % 8}.json.gz`, size };
    }
  }
}

/** A container SAS (read, add, create, write, list) for raw HTTP requests from the harness. */
function containerSas(): string {
  return generateBlobSASQueryParameters(
    { containerName: CONTAINER, permissions: ContainerSASPermissions.parse('racwl'), expiresOn: new Date(Date.now() + 7 * 24 * 3600_000) },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  ).toString();
}

const blobUrl = (emu: AzuriteEmulator, key: string, sas: string) => `${emu.serviceUrl}/${CONTAINER}/${key.split('/').map(encodeURIComponent).join('/')}?${sas}`;

function request(url: string, method: string, headers: Record<string, string | number>, body: Buffer | undefined, agent: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Seeds with plain keep-alive HTTP PUTs and a SAS: Azurite spends ~3 ms CPU per Put Blob on these
 * 2-core machines, and the SDK would take another ~1 ms of the other core per request.
 */
async function seed(emu: AzuriteEmulator, n: number): Promise<void> {
  await azureService(emu).getContainerClient(CONTAINER).createIfNotExists();
  const sas = containerSas();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const body = Buffer.alloc(4200, 'x');
  const it = keys(n);
  let done = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let next = it.next(); !next.done; next = it.next()) {
      const { key, size } = next.value;
      for (let attempt = 1; ; attempt++) {
        const r = await request(blobUrl(emu, key, sas), 'PUT', { 'x-ms-blob-type': 'BlockBlob', 'content-length': size }, body.subarray(0, size), agent).catch((e: Error) => ({ status: 0, text: e.message }));
        if (r.status === 201) break;
        if (attempt >= 5) throw new Error(`seeding ${key} failed: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      }
      if (++done % 10_000 === 0) log(`  seeded ${done}/${n} (${Math.round(done / ((performance.now() - started) / 1000))}/s)`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  agent.destroy();
}

/** The emulator's own floor: List Blobs pages over plain HTTP, no XML parsing beyond NextMarker. */
async function rawList(emu: AzuriteEmulator): Promise<{ wallMs: number; count: number }> {
  const sas = containerSas();
  const agent = new http.Agent({ keepAlive: true });
  const start = performance.now();
  let marker = '';
  let count = 0;
  do {
    const r = await request(`${emu.serviceUrl}/${CONTAINER}?restype=container&comp=list&maxresults=5000${marker ? `&marker=${encodeURIComponent(marker)}` : ''}&${sas}`, 'GET', {}, undefined, agent);
    if (r.status !== 200) throw new Error(`List Blobs: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    count += r.text.split('<Blob>').length - 1;
    marker = /<NextMarker>([^<]*)<\/NextMarker>/.exec(r.text)?.[1] ?? '';
  } while (marker);
  agent.destroy();
  return { wallMs: performance.now() - start, count };
}

const TEMPLATE_KEY = 'bench-template.bin';

/**
 * Seeds `n` blobs in seconds: one real blob is uploaded through Azurite, then its metadata
 * document is cloned under every key with Azurite's own LokiBlobMetadataStore while Azurite is
 * stopped (all clones share the template's 1 KiB of data). Seeding 100k blobs over HTTP is not
 * practical: Azurite's Put Blob scans every blob of the account (findOne on a shared index), so
 * it slows from ~300/s to ~20/s by 20k blobs on these machines (`--seed-http` still does it).
 */
async function bulkSeed(dir: string, n: number): Promise<void> {
  const emu = await startAzurite({ dir, keepDir: true });
  const stopSeed = onCleanup(() => emu.stop());
  const cc = azureService(emu).getContainerClient(CONTAINER);
  await cc.createIfNotExists();
  await cc.getBlockBlobClient(TEMPLATE_KEY).upload(Buffer.alloc(1024, 'x'), 1024);
  await emu.stop();
  stopSeed();

  interface LokiCollection {
    findOne(q: object): Record<string, unknown> | null;
    insert(docs: object[]): unknown;
    remove(doc: object): unknown;
  }
  interface Store {
    BLOBS_COLLECTION: string;
    db: { getCollection(name: string): LokiCollection | null; saveDatabase(cb: (err?: Error) => void): void };
    init(): Promise<void>;
    close(): Promise<void>;
  }
  const require = createRequire(import.meta.url);
  const mod = require('azurite/dist/src/blob/persistence/LokiBlobMetadataStore') as { default: new (dbPath: string, inMemory: boolean) => Store };
  const store = new mod.default(path.join(dir, '__azurite_db_blob__.json'), false);
  await store.init();
  const coll = store.db.getCollection(store.BLOBS_COLLECTION);
  const tpl = coll?.findOne({ name: TEMPLATE_KEY });
  if (!coll || !tpl) throw new Error('Azurite metadata layout not as expected (template blob not found): use --seed-http');
  const docs: object[] = [];
  let i = 0;
  for (const { key } of keys(n)) {
    const d = structuredClone(tpl) as Record<string, unknown> & { properties: Record<string, unknown> };
    delete d['$loki'];
    delete d['meta'];
    d['name'] = key;
    d.properties = { ...d.properties, etag: `"0x8DE${(0x1000000 + i++).toString(16).toUpperCase()}"` };
    docs.push(d);
  }
  coll.insert(docs);
  coll.remove(tpl);
  await new Promise<void>((resolve, reject) => store.db.saveDatabase((err) => (err ? reject(err) : resolve())));
  await store.close();
}

/** Starts Azurite on a copy of the cached seeded data dir, seeding (and caching) it first if needed. */
async function seededAzurite(n: number, viaHttp: boolean): Promise<AzuriteEmulator> {
  const cacheKey = `azurite-list-${KEYSET_VERSION}-n${n}-azurite${packageVersion('azurite')}${viaHttp ? '-http' : ''}`;
  const cached = path.join(CACHE_DIR, cacheKey);
  const marker = path.join(cached, '.complete');
  const work = tempDir('archive-bench-list-');
  const dir = path.join(work, 'azurite');
  if (existsSync(marker)) {
    log(`using cached seeded Azurite data: ${path.relative(process.cwd(), cached)} (delete it to reseed)`);
    cpSync(cached, dir, { recursive: true });
  } else {
    log(`seeding ${n} blobs into Azurite (on disk${viaHttp ? ', over HTTP: slow' : ''}; cached afterwards in ${path.relative(process.cwd(), cached)})…`);
    mkdirSync(dir, { recursive: true });
    if (viaHttp) {
      const emu = await startAzurite({ dir, keepDir: true });
      const stopSeed = onCleanup(() => emu.stop());
      await seed(emu, n);
      // Azurite's metadata (LokiJS) autosaves every 5 s and saves again on close: wait for one
      // autosave so a slow close cannot lose blobs.
      await new Promise((r) => setTimeout(r, 6000));
      await emu.stop();
      stopSeed();
    } else {
      await bulkSeed(dir, n);
    }
    log('  seeded; caching the data dir');
    rmSync(`${cached}.tmp`, { recursive: true, force: true });
    mkdirSync(CACHE_DIR, { recursive: true });
    cpSync(dir, `${cached}.tmp`, { recursive: true });
    writeFileSync(path.join(`${cached}.tmp`, '.complete'), JSON.stringify({ keys: n, at: new Date().toISOString() }) + '\n');
    rmSync(cached, { recursive: true, force: true });
    renameSync(`${cached}.tmp`, cached);
  }
  const emu = await startAzurite({ dir });
  onCleanup(() => emu.stop());
  return emu;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2).filter((a) => a !== '--seed-http'), { emulators: ['azure'] });
  if (args.help) {
    process.stdout.write('npm run bench:list [-- --runs N (default 3)] [--keys N (default 100000; --quick: 10000)] [--quick] [--seed-http]\n');
    return;
  }
  if (!existsSync(path.join(path.dirname(BIN), '..', 'dist', 'main.js'))) throw new Error('dist/ missing: run `npm run build` first');
  const n = args.keys ?? (args.quick ? 10_000 : 100_000);
  const tools = findTools({});
  for (const note of tools.notes) log(note);
  const config = tempDir('archive-bench-config-');
  const node = process.execPath;
  const rows: string[][] = [];

  const emu = await seededAzurite(n, process.argv.includes('--seed-http'));
  const env = cliEnv(config, { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString });
  const loc = `${emu.serviceUrl}/${CONTAINER}`;

  // Correctness first: the listing must hold every key exactly once.
  log('verifying the listing (--ndjson, every key once)…');
  const check = await runOk('archive list --ndjson', node, [BIN, 'list', loc, '--ndjson'], tools, { env, stdout: 'capture', rss: false });
  const listed = check.stdout!.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { key: string }).key);
  const expected = new Set<string>();
  for (const k of keys(n)) expected.add(k.key);
  const seen = new Set(listed);
  const missing = [...expected].filter((k) => !seen.has(k)).length;
  if (listed.length !== n || seen.size !== n || missing) {
    throw new Error(`listing is wrong: ${listed.length} lines, ${seen.size} distinct, ${missing} of ${n} seeded keys missing (stale cache? delete ${CACHE_DIR})`);
  }
  log(`  ok: ${n} keys`);

  const measure = async (label: string, argv: string[], runs: number, rss = true): Promise<RunResult[]> => {
    const out: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runOk(label, node, argv, tools, { env, rss });
      out.push(r);
      log(`  ${label} run ${i + 1}/${runs}: ${fmtMs(r.wallMs)}${r.rssKiB ? `, peak RSS ${fmtRss(r.rssKiB)}` : ''}`);
    }
    return out;
  };
  const row = (what: string, rs: RunResult[], note: string, rssFrom?: RunResult[]) => {
    const walls = rs.map((r) => r.wallMs);
    const rssRuns = (rssFrom ?? rs).map((r) => r.rssKiB).filter((x): x is number => x !== undefined);
    const cpu = (rssFrom ?? rs).map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
    rows.push([
      what,
      fmtMs(median(walls)),
      `${fmtMs(Math.min(...walls))}–${fmtMs(Math.max(...walls))}`,
      cpu.length ? fmtMs(median(cpu)) : 'n/a',
      rssRuns.length ? fmtRss(Math.max(...rssRuns)) : 'n/a',
      note,
    ]);
  };

  log(`emulator floor: raw List Blobs pages over HTTP (${args.runs} runs)…`);
  const raw: RunResult[] = [];
  for (let i = 0; i < args.runs; i++) {
    const r = await rawList(emu);
    if (r.count !== n) throw new Error(`raw listing returned ${r.count} of ${n} blobs`);
    raw.push({ wallMs: r.wallMs, code: 0, signal: null, stderr: '' });
    log(`  raw list run ${i + 1}/${args.runs}: ${fmtMs(r.wallMs)}`);
  }
  row(`raw List Blobs over HTTP, 5000/page (emulator floor, in the harness)`, raw, 'Azurite time alone; no SDK, no XML parse');
  log(`archive list ${n} keys --ndjson > /dev/null (${args.runs} runs)…`);
  const nd = await measure('list --ndjson', [BIN, 'list', loc, '--ndjson'], args.runs);
  row(`\`archive list\` ${n.toLocaleString('en')} keys \`--ndjson > /dev/null\``, nd, `${Math.round(n / (median(nd.map((r) => r.wallMs)) / 1000)).toLocaleString('en')} keys/s`);
  log(`archive list ${n} keys --json > /dev/null (${args.runs} runs)…`);
  const js = await measure('list --json', [BIN, 'list', loc, '--json'], args.runs);
  row(`\`archive list\` ${n.toLocaleString('en')} keys \`--json > /dev/null\``, js, `${Math.round(n / (median(js.map((r) => r.wallMs)) / 1000)).toLocaleString('en')} keys/s`);

  // The fixed cost of any command that talks to storage: start, load the SDK, one small request.
  const one = azureService(emu).getContainerClient('bench-one');
  await one.createIfNotExists();
  await one.getBlockBlobClient('acme/search/prod/h1.vespa.example/logs/access/JsonAccessLog.default.20260105170000.zst').upload(Buffer.alloc(100), 100);
  const oneRuns = args.quick ? 5 : 10;
  log(`archive list of a 1-key container × ${oneRuns} (start-up + SDK load floor)…`);
  const small = await measure('list 1 key', [BIN, 'list', `${emu.serviceUrl}/bench-one`, '--ndjson'], oneRuns);
  row(`\`archive list\` 1 key (start-up + SDK load, median of ${oneRuns})`, small, 'fixed cost of every storage command');

  const coldRuns = args.quick ? 10 : 20;
  log(`cold start: archive --help × ${coldRuns}, node -e 0 × ${coldRuns}…`);
  // Wall without the GNU time wrapper; RSS from one extra wrapped run. Alternate to share any drift.
  const help: RunResult[] = [];
  const bare: RunResult[] = [];
  for (let i = 0; i < coldRuns; i++) {
    help.push(await runOk('archive --help', node, [BIN, '--help'], tools, { env, rss: false }));
    bare.push(await runOk('node -e 0', node, ['-e', '0'], tools, { env, rss: false }));
  }
  const helpRss = [await runOk('archive --help', node, [BIN, '--help'], tools, { env })];
  const bareRss = [await runOk('node -e 0', node, ['-e', '0'], tools, { env })];
  const helpMed = median(help.map((r) => r.wallMs));
  row(`\`archive --help\` cold start (median of ${coldRuns})`, help, `target ≤ 150 ms: ${helpMed <= 150 ? 'met' : 'NOT met'}`, helpRss);
  row(`\`node -e 0\` (baseline, median of ${coldRuns})`, bare, `archive's own share ≈ ${fmtMs(Math.max(0, helpMed - median(bare.map((r) => r.wallMs))))}`, bareRss);

  const out = [
    `## archive list / cold start (${new Date().toISOString().slice(0, 10)})`,
    '',
    markdownTable(['case', 'median wall', 'range', 'CPU user+sys', 'peak RSS', 'notes'], rows),
    '',
    `Azurite on disk (data dir cached in .bench/), ${n.toLocaleString('en')} vendor-shaped keys (Vespa, Cloudflare, Amplitude), one container; ${args.runs} runs per list case; CPU time and peak RSS of the CLI process (${tools.time ? 'GNU time %U+%S, %M' : '/proc VmHWM sampling'}). Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
    ...tools.notes.map((x) => `Note: ${x}`),
    machineLine(tools),
    '',
  ];
  process.stdout.write(out.join('\n'));
}

runMain(main);
