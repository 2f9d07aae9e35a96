/**
 * npm run bench:list — time-pruned and full listings side by side with rclone, on Azurite and
 * s3rver. A Markdown table on stdout, progress on stderr.
 *
 *   npm run bench:list [-- --runs N (default 1)] [--emulators azure,s3] [--quick] [--only cf30,hive,startup]
 *
 * Archives (keys relative to the moment of seeding, so `--since 2h` hits real data):
 *   cf30    Cloudflare Logpush, daily folders, 288 files a day, 30 days    (8,640 keys)
 *   cf365   the same for 365 days                                         (105,120 keys)
 *   vespa   Vespa, 20 hosts × 3 log types, hourly, 90 days                (129,600 keys)
 *   hive    Hive partitions year=/month=/day=/hour=, 4 files an hour, 90 days (8,640 keys)
 *   amp     Amplitude, one project, 2 files an hour, 365 days, no folders  (17,520 keys)
 *   ten     10 keys (start-up cost)
 * --quick: 7 days for cf365 and vespa (for trying the harness, not for numbers).
 * --only: just these archives and/or `startup` (seeds only what they need).
 *
 * Start-up: `archive list` and `rclone lsf -R` of the 10-key container, 11 runs each alternating
 * with `node -e 0` (what Node alone costs in the same minute), medians reported.
 *
 * For each archive and window (`--since 2h`, `--since 1d`, full): wall, LIST requests, keys scanned
 * and peak RSS of `archive list`, of `rclone lsf -R --max-age` over the whole container, and of
 * `rclone lsf -R` of exactly the folders holding the window, after one `rclone lsf` (a delimiter
 * listing) of the archive's level folder where it has one (the physical floor: what a perfect
 * pruner must read, since strays beside the time folders must be found too; one rclone process per
 * folder, walls summed). rclone cannot list a name prefix, so for archives whose time is in file
 * names (Vespa, Amplitude) the floor is their whole folder. rclone's requests are counted
 * from its `--dump headers` output in a separate run; archive's come from its `--json` totals.
 * Note: the emulators stamp every object with the seeding time, so rclone's --max-age (which only
 * sees last-modified) selects everything; its row shows the cost of scanning, not an answer.
 *
 * Seeding: Azurite's metadata store is written directly with Azurite's own LokiBlobMetadataStore
 * while Azurite is stopped (one real template blob per container, its document cloned under every
 * key): Put Blob over HTTP slows to ~20/s past 20k blobs on these machines. s3rver is seeded with
 * its own FilesystemStore.putObject (the code its PUT handler runs), without HTTP.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startAzurite, startS3rver, type AzuriteEmulator, type S3Emulator } from '../support/emulators.js';
import { azureService } from '../support/seed.js';
import {
  BIN,
  cliEnv,
  findTools,
  fmtMs,
  fmtRss,
  log,
  machineLine,
  markdownTable,
  median,
  onCleanup,
  parseArgs,
  rcloneS3Env,
  runMain,
  runMeasured,
  runOk,
  tempDir,
  type RunResult,
  type Tools,
} from './lib.js';

const require = createRequire(import.meta.url);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Start-up runs per tool (median reported). */
const STARTUP_RUNS = 11;

const p2 = (n: number) => String(n).padStart(2, '0');
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
const stamp = (t: number) => `${new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
const compact = (t: number) => stamp(t).replace('T', '').slice(0, 14);

interface Archive {
  name: string;
  label: string;
  keys: () => Generator<string>;
  count: number;
  /** The folders a perfect pruner must read for a window starting at `since` (open end). */
  floorFolders(since: number): string[];
  /** The folder whose one-level (delimiter) listing any pruner must make first, when there is one. */
  level?: string;
  /** Time in file names: the floor reads the level itself, so no extra level listing. */
  nameStamped?: boolean;
}

function archives(now: number, quick: boolean): Archive[] {
  const end = Math.floor(now / 300_000) * 300_000; // last 5-minute batch before now
  const cf = (days: number): Archive => ({
    name: `cf${days === 30 ? 30 : 365}`,
    label: `Cloudflare daily folders, ${days} days`,
    count: days * 288,
    level: 'http_requests/',
    *keys() {
      for (let i = 0; i < days * 288; i++) {
        const t = end - (i + 1) * 300_000;
        yield `http_requests/${ymd(t)}/${stamp(t)}_${stamp(t + 300_000)}_${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}.log.gz`;
      }
    },
    floorFolders(since) {
      const out: string[] = [];
      for (let d = Math.floor(since / DAY) * DAY; d <= end; d += DAY) out.push(`http_requests/${ymd(d)}/`);
      return out;
    },
  });
  const vespaDays = quick ? 7 : 90;
  const vespa: Archive = {
    name: 'vespa',
    label: `Vespa 20 hosts × 3 types, hourly, ${vespaDays} days`,
    count: 20 * 3 * 24 * vespaDays,
    *keys() {
      const last = Math.floor(now / HOUR) * HOUR - HOUR;
      for (let h = 0; h < 20; h++) {
        const host = `acme/search/prod/h${p2(h)}.vespa.example`;
        for (let i = 0; i < 24 * vespaDays; i++) {
          const t = last - i * HOUR;
          yield `${host}/logs/access/JsonAccessLog.default.${compact(t)}.zst`;
          yield `${host}/logs/connection/ConnectionLog.default.${compact(t)}.zst`;
          const iso = new Date(t + HOUR).toISOString();
          yield `${host}/logs/vespa/vespa.log-${iso.slice(0, 10)}.${iso.slice(11, 19).replace(/:/g, '-')}.zst`;
        }
      }
    },
    // The time is in the file names: no folder holds only the window, so the floor reads them all.
    floorFolders: () => ['acme/search/prod/'],
  };
  const hive: Archive = {
    name: 'hive',
    label: 'Hive year=/month=/day=/hour=, 4 files an hour, 90 days',
    count: 90 * 24 * 4,
    level: 'events/',
    *keys() {
      const last = Math.floor(now / HOUR) * HOUR;
      for (let i = 0; i < 90 * 24; i++) {
        const d = new Date(last - i * HOUR);
        const dir = `events/year=${d.getUTCFullYear()}/month=${p2(d.getUTCMonth() + 1)}/day=${p2(d.getUTCDate())}/hour=${p2(d.getUTCHours())}`;
        for (let n = 0; n < 4; n++) yield `${dir}/part-0000${n}.json.gz`;
      }
    },
    floorFolders(since) {
      const out: string[] = [];
      const hourly = end - since <= 6 * HOUR;
      const step = hourly ? HOUR : DAY;
      for (let t = Math.floor(since / step) * step; t <= end; t += step) {
        const d = new Date(t);
        const day = `events/year=${d.getUTCFullYear()}/month=${p2(d.getUTCMonth() + 1)}/day=${p2(d.getUTCDate())}/`;
        out.push(hourly ? `${day}hour=${p2(d.getUTCHours())}/` : day);
      }
      return out;
    },
  };
  const cf365 = cf(quick ? 7 : 365);
  cf365.name = 'cf365';
  const amp: Archive = {
    name: 'amp',
    label: 'Amplitude, 1 project, 2 files an hour, 365 days',
    count: 365 * 24 * 2,
    level: 'amplitude/187520/',
    *keys() {
      const last = Math.floor(now / HOUR) * HOUR - HOUR;
      for (let i = 0; i < 365 * 24; i++) {
        const d = new Date(last - i * HOUR);
        for (let n = 0; n < 2; n++) yield `amplitude/187520/187520_${d.toISOString().slice(0, 10)}_${d.getUTCHours()}#${n}.json.gz`;
      }
    },
    // The time is in the file names: rclone can only read the whole folder.
    floorFolders: () => ['amplitude/187520/'],
    nameStamped: true,
  };
  return [cf(30), cf365, vespa, hive, amp];
}

function* tenKeys(): Generator<string> {
  for (let i = 0; i < 10; i++) yield `acme/search/prod/h1.vespa.example/logs/access/JsonAccessLog.default.2026010517000${i}.zst`;
}

// ---------------------------------------------------------------------------------------------
// seeding

interface LokiCollection {
  find(q: object): Array<Record<string, unknown>>;
  insert(docs: object[]): unknown;
  remove(doc: object): unknown;
}
interface LokiStore {
  BLOBS_COLLECTION: string;
  db: { getCollection(name: string): LokiCollection | null; saveDatabase(cb: (err?: Error) => void): void };
  init(): Promise<void>;
  close(): Promise<void>;
}

const TEMPLATE_KEY = 'bench-template.bin';

async function seedAzurite(dir: string, sets: Array<{ container: string; keys: () => Generator<string> }>): Promise<void> {
  const emu = await startAzurite({ dir, keepDir: true });
  const stop = onCleanup(() => emu.stop());
  for (const s of sets) {
    const cc = azureService(emu).getContainerClient(s.container);
    await cc.createIfNotExists();
    await cc.getBlockBlobClient(TEMPLATE_KEY).upload(Buffer.alloc(1024, 'x'), 1024);
  }
  await emu.stop();
  stop();
  const mod = require('azurite/dist/src/blob/persistence/LokiBlobMetadataStore') as {
    default: new (dbPath: string, inMemory: boolean) => LokiStore;
  };
  const store = new mod.default(path.join(dir, '__azurite_db_blob__.json'), false);
  await store.init();
  const coll = store.db.getCollection(store.BLOBS_COLLECTION);
  if (!coll) throw new Error('Azurite metadata layout not as expected');
  let n = 0;
  for (const s of sets) {
    const tpl = coll.find({ name: TEMPLATE_KEY }).find((d) => d.containerName === s.container);
    if (!tpl) throw new Error(`template blob for ${s.container} not found`);
    let docs: object[] = [];
    for (const key of s.keys()) {
      const d = structuredClone(tpl) as Record<string, unknown> & { properties: Record<string, unknown> };
      delete d.$loki;
      delete d.meta;
      d.name = key;
      d.properties = { ...d.properties, etag: `"0x8DE${(0x1000000 + n++).toString(16).toUpperCase()}"` };
      docs.push(d);
      if (docs.length === 20_000) {
        coll.insert(docs);
        docs = [];
      }
    }
    if (docs.length) coll.insert(docs);
    coll.remove(tpl);
  }
  await new Promise<void>((resolve, reject) => store.db.saveDatabase((err) => (err ? reject(err) : resolve())));
  await store.close();
}

async function seedS3rverStore(dir: string, sets: Array<{ container: string; keys: () => Generator<string> }>): Promise<void> {
  const FilesystemStore = require('s3rver/lib/stores/filesystem') as new (
    root: string,
  ) => { putBucket(b: string): Promise<unknown>; putObject(o: unknown): Promise<unknown> };
  const S3Object = require('s3rver/lib/models/object') as new (
    bucket: string,
    key: string,
    content: Buffer,
    metadata: Record<string, string>,
  ) => unknown;
  const store = new FilesystemStore(dir);
  const body = Buffer.alloc(1024, 'x');
  for (const s of sets) {
    await store.putBucket(s.container);
    const it = s.keys();
    const worker = async () => {
      for (let r = it.next(); !r.done; r = it.next())
        await store.putObject(new S3Object(s.container, r.value, body, { 'content-type': 'application/octet-stream' }));
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }
}

// ---------------------------------------------------------------------------------------------
// emulators

interface Emu {
  label: string;
  loc(container: string, prefix?: string): string;
  env: Record<string, string>;
  remote(container: string, prefix?: string): string;
  rcloneEnv: Record<string, string | undefined>;
}

async function startEmu(name: 'azure' | 's3', sets: Array<{ container: string; keys: () => Generator<string> }>): Promise<Emu> {
  const dir = path.join(tempDir(`archive-bench-list-${name}-`), 'data');
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  if (name === 'azure') {
    await seedAzurite(dir, sets);
    log(`  Azurite seeded in ${fmtMs(performance.now() - started)}; starting it on the seeded data…`);
    const emu: AzuriteEmulator = await startAzurite({ dir });
    onCleanup(() => emu.stop());
    return {
      label: 'Azurite',
      loc: (c, p = '') => `${emu.serviceUrl}/${c}${p ? `/${p}` : ''}`,
      env: { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString },
      remote: (c, p = '') => `bench:${c}${p ? `/${p}` : ''}`,
      rcloneEnv: {
        RCLONE_CONFIG_BENCH_TYPE: 'azureblob',
        RCLONE_CONFIG_BENCH_USE_EMULATOR: 'true',
        RCLONE_CONFIG_BENCH_ENDPOINT: emu.serviceUrl,
      },
    };
  }
  await seedS3rverStore(dir, sets);
  log(`  s3rver seeded in ${fmtMs(performance.now() - started)}`);
  const emu: S3Emulator = await startS3rver({ dir });
  onCleanup(() => emu.stop());
  return {
    label: 's3rver',
    loc: (c, p = '') => `s3://${c}${p ? `/${p}` : ''}`,
    env: emu.env,
    remote: (c, p = '') => `bench:${c}${p ? `/${p}` : ''}`,
    rcloneEnv: rcloneS3Env(emu.endpoint),
  };
}

// ---------------------------------------------------------------------------------------------
// measuring

interface Measured {
  wallMs: number;
  rssKiB?: number;
  requests?: number;
  keys: number;
  scanned?: number;
}

function countLines(s: string | undefined): number {
  if (!s) return 0;
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

async function main(): Promise<void> {
  const s3All = process.argv.includes('--s3-all');
  const args = parseArgs(
    process.argv.slice(2).filter((a) => a !== '--s3-all'),
    { emulators: ['azure', 's3'] },
  );
  if (args.help) {
    process.stdout.write(
      'npm run bench:list [-- --runs N (default 1)] [--emulators azure,s3] [--quick] [--s3-all] [--only cf30,cf365,vespa,hive,amp,startup]\n',
    );
    return;
  }
  const runs = process.argv.includes('--runs') ? args.runs : 1;
  const tools: Tools = findTools({ rclone: true });
  for (const note of tools.notes) log(note);
  const config = tempDir('archive-bench-config-');
  const node = process.execPath;
  const now = Date.now();
  const all = archives(now, args.quick);
  // s3rver keeps three files per object and answers a listing by walking its directories and
  // reading every object's metadata file: seeding and scanning 230k objects there takes many minutes
  // on these machines, so by default it gets the three small archives (--s3-all for every one).
  const forEmu = (which: 'azure' | 's3') =>
    which === 'azure' || s3All ? all : all.filter((a) => a.name === 'cf30' || a.name === 'hive' || a.name === 'amp');
  const rows: string[][] = [];
  const startRows: string[][] = [];

  for (const which of args.emulators) {
    const mine = forEmu(which).filter((a) => !args.only || args.only.has(a.name));
    const sets = [...mine.map((a) => ({ container: a.name, keys: a.keys })), { container: 'ten', keys: tenKeys }];
    log(
      `seeding ${which === 'azure' ? 'Azurite' : 's3rver'}: ${mine.map((a) => `${a.name} ${a.count.toLocaleString('en')}`).join(', ')}, ten 10…`,
    );
    const emu = await startEmu(which, sets);
    const env = cliEnv(config, emu.env);
    const renv = cliEnv(config, { ...emu.rcloneEnv, RCLONE_CONFIG: path.join(config, 'rclone.conf') });

    const best = async (label: string, f: () => Promise<Measured>): Promise<Measured> => {
      const rs: Measured[] = [];
      for (let i = 0; i < runs; i++) rs.push(await f());
      const m = { ...rs[0], wallMs: median(rs.map((r) => r.wallMs)), rssKiB: Math.max(...rs.map((r) => r.rssKiB ?? 0)) || undefined };
      log(
        `  ${label}: ${fmtMs(m.wallMs)}, ${m.keys} keys${m.requests !== undefined ? `, ${m.requests} requests` : ''}${m.rssKiB ? `, ${fmtRss(m.rssKiB)}` : ''}`,
      );
      return m;
    };
    const archive = (container: string, sub: string, extra: string[]): Promise<Measured> =>
      best(`archive list ${container}/${sub} ${extra.join(' ')}`, async () => {
        const r = await runOk('archive list', node, [BIN, 'list', emu.loc(container, sub), '--json', ...extra], tools, {
          env,
          stdout: 'capture',
        });
        const tail = r.stdout!.slice(r.stdout!.lastIndexOf('],"count"') + 2);
        const t = JSON.parse(`{${tail}`) as { count: number; scanned: number; requests: number };
        return { wallMs: r.wallMs, rssKiB: r.rssKiB, keys: t.count, scanned: t.scanned, requests: t.requests };
      });
    const rcloneRequests = async (argv: string[]): Promise<number> => {
      const r = await runMeasured(tools.rclone!, [...argv, '-vv', '--dump', 'headers'], tools, { env: renv, rss: false });
      // rclone -vv --dump headers logs one "HTTP REQUEST" banner per request it sends.
      return (r.stderr.match(/HTTP REQUEST/g) ?? []).length;
    };
    const rclone = (label: string, argvs: string[][]): Promise<Measured> =>
      best(label, async () => {
        let wall = 0;
        let rss = 0;
        let keys = 0;
        let requests = 0;
        for (const argv of argvs) {
          const r = await runOk('rclone', tools.rclone!, argv, tools, { env: renv, stdout: 'capture' });
          wall += r.wallMs;
          rss = Math.max(rss, r.rssKiB ?? 0);
          keys += countLines(r.stdout);
          requests += await rcloneRequests(argv);
        }
        return { wallMs: wall, rssKiB: rss || undefined, keys, requests, scanned: undefined };
      });

    // Warm-up: the first listing after start pays for the emulator's own JIT and page cache.
    const warm = mine[0]?.name ?? 'ten';
    await runOk('warm-up', node, [BIN, 'list', emu.loc(warm), '--ndjson'], tools, { env, rss: false });
    if (tools.rclone) await runOk('warm-up', tools.rclone, ['lsf', '-R', emu.remote(warm)], tools, { env: renv, rss: false });
    for (const a of mine) {
      for (const win of ['2h', '1d', 'full'] as const) {
        const since = win === '2h' ? now - 2 * HOUR : win === '1d' ? now - DAY : undefined;
        const flag = since === undefined ? [] : ['--since', win];
        // Located at the dataset's folder, as a user would (`…/http_requests/ --since 2h`).
        const sub = a.level ?? '';
        const arch = await archive(a.name, sub, flag);
        let scan: Measured | undefined;
        let floor: Measured | undefined;
        if (tools.rclone) {
          scan = await rclone(`rclone lsf -R ${since ? `--max-age ${win} ` : ''}${a.name}`, [
            ['lsf', '-R', '--files-only', ...(since ? ['--max-age', win] : []), emu.remote(a.name, sub)],
          ]);
          if (since) {
            const folders = a.floorFolders(since);
            const level = a.level && !a.nameStamped ? [['lsf', emu.remote(a.name, a.level)]] : [];
            floor = await rclone(
              `rclone floor ${a.name} ${win} (${level.length ? 'level + ' : ''}${folders.length} folder${folders.length === 1 ? '' : 's'})`,
              [...level, ...folders.map((f) => ['lsf', '-R', '--files-only', emu.remote(a.name, f)])],
            );
          }
        }
        const kps = (m: Measured) => m.keys / (m.wallMs / 1000);
        const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}×` : '–');
        let vs = '–';
        if (floor) vs = `${ratio(arch.wallMs, floor.wallMs)}, ${ratio(arch.requests ?? 0, floor.requests)}`;
        else if (scan)
          vs = `${(kps(arch) / kps(scan)).toFixed(2)}× rclone keys/s (${Math.round(kps(arch)).toLocaleString('en')} vs ${Math.round(kps(scan)).toLocaleString('en')})`;
        const cell = (m: Measured | undefined) => (m ? `${fmtMs(m.wallMs)} · ${m.requests ?? '?'} · ${fmtRss(m.rssKiB)}` : '–');
        rows.push([
          emu.label,
          a.label,
          win,
          `${fmtMs(arch.wallMs)} · ${arch.requests ?? '?'} · ${(arch.scanned ?? 0).toLocaleString('en')} → ${arch.keys.toLocaleString('en')} · ${fmtRss(arch.rssKiB)}`,
          cell(floor),
          cell(scan),
          vs,
        ]);
      }
    }

    // Start-up: a storage command that lists one page, alternating archive / rclone / bare Node
    // runs so that load changes on the shared machine hit all three alike. With NODE_EXTRA_CA_CERTS
    // set (this machine's environment sets it), Node 20 reads and parses that CA bundle before any
    // JavaScript runs (~75 ms here, `node -e 0` 110 vs 38 ms; Node 24 defers it): archive and bare
    // Node are then also run without it, in the same loop, as a second row (rclone ignores it).
    if (args.only && !args.only.has('startup')) continue;
    const n = args.quick ? 3 : STARTUP_RUNS;
    const { NODE_EXTRA_CA_CERTS: extraCa, ...envWithoutCa } = env;
    const withoutCa = extraCa ? envWithoutCa : undefined;
    const ours: RunResult[] = [];
    const theirs: RunResult[] = [];
    const bare: RunResult[] = [];
    const oursNoCa: RunResult[] = [];
    const bareNoCa: RunResult[] = [];
    for (let i = 0; i < n; i++) {
      ours.push(await runOk('archive list ten', node, [BIN, 'list', emu.loc('ten'), '--ndjson'], tools, { env }));
      if (tools.rclone) theirs.push(await runOk('rclone lsf ten', tools.rclone, ['lsf', '-R', emu.remote('ten')], tools, { env: renv }));
      bare.push(await runOk('node -e 0', node, ['-e', '0'], tools, { env, rss: false }));
      if (withoutCa) {
        oursNoCa.push(await runOk('archive list ten', node, [BIN, 'list', emu.loc('ten'), '--ndjson'], tools, { env: withoutCa }));
        bareNoCa.push(await runOk('node -e 0', node, ['-e', '0'], tools, { env: withoutCa, rss: false }));
      }
    }
    const t = theirs.length ? median(theirs.map((r) => r.wallMs)) : undefined;
    const startRow = (label: string, arch: RunResult[], nodeRuns: RunResult[]) => {
      const o = median(arch.map((r) => r.wallMs));
      const b = median(nodeRuns.map((r) => r.wallMs));
      log(`  start-up${label}: archive ${fmtMs(o)}, rclone ${t ? fmtMs(t) : '–'}, node -e 0 ${fmtMs(b)}`);
      startRows.push([
        `${emu.label}${label}`,
        fmtMs(o),
        t ? fmtMs(t) : '–',
        t ? `${(o / t).toFixed(2)}×` : '–',
        fmtMs(b),
        fmtRss(Math.max(...arch.map((r) => r.rssKiB ?? 0))),
        theirs.length ? fmtRss(Math.max(...theirs.map((r) => r.rssKiB ?? 0))) : '–',
      ]);
    };
    startRow('', ours, bare);
    if (withoutCa) startRow(', Node without NODE_EXTRA_CA_CERTS', oursNoCa, bareNoCa);
  }

  const out = [
    `## archive list: pruned and full listings (${new Date(now).toISOString().slice(0, 16)}Z)`,
    '',
    markdownTable(
      [
        'emulator',
        'archive',
        'window',
        '`archive list`: wall · requests · keys scanned → out · RSS',
        'floor (`rclone lsf -R` of the matching folders): wall · requests · RSS',
        '`rclone lsf -R [--max-age]`: wall · requests · RSS',
        'archive ÷ floor (wall, requests); full: keys/s',
      ],
      rows,
    ),
    '',
    `### start-up: \`archive list\` vs \`rclone lsf -R\` of a 10-key container (median of ${args.quick ? 3 : STARTUP_RUNS}, alternating)`,
    '',
    markdownTable(['emulator', 'archive list', 'rclone lsf', 'archive ÷ rclone', '`node -e 0`', 'archive RSS', 'rclone RSS'], startRows),
    '',
    `${runs} run${runs === 1 ? '' : 's'} per cell (median). Peak RSS and CPU from ${tools.time ? 'GNU time' : '/proc VmHWM sampling'}. rclone's requests counted from \`--dump headers\` in a separate run. Load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (other work shared the 2 cores: compare ratios within this run, not absolute times).`,
    ...tools.notes.map((x) => `Note: ${x}`),
    machineLine(tools),
    '',
  ];
  process.stdout.write(out.join('\n'));
}

runMain(main);
