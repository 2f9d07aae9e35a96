/**
 * Vendor-shaped demo archives: the key layouts Vespa Cloud, Cloudflare Logpush, Amplitude and
 * Logz.io write, with real compressed bodies (zstd through the `zstd` program or node:zlib when
 * either is there, gzip through node:zlib). Times are relative to `now` so `--since 6h` finds data.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { prng, zstdProgram } from '../support/zstd-fixtures.js';
import type { SeedObject } from '../support/seed.js';

const HOUR = 3_600_000;
const MIN = 60_000;

export interface Compressor {
  /** How .zst bodies are made; undefined when neither the zstd program nor node:zlib zstd exists. */
  zstdVia?: string;
  /** Compresses each buffer to one zstd frame (batched: one program run for all). */
  zstd?: (inputs: Buffer[]) => Buffer[];
}

export function compressor(): Compressor {
  const prog = zstdProgram();
  if (prog) {
    return {
      zstdVia: `the zstd program (${prog})`,
      zstd: (inputs) => {
        const dir = mkdtempSync(join(tmpdir(), 'archive-demo-zstd-'));
        try {
          const files = inputs.map((b, i) => {
            const f = join(dir, String(i));
            writeFileSync(f, b);
            return f;
          });
          const r = spawnSync(prog, ['-q', '-3', '--no-progress', ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
          if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString()}`);
          return files.map((f) => readFileSync(`${f}.zst`));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }
  const native = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
  if (typeof native === 'function') return { zstdVia: 'node:zlib', zstd: (inputs) => inputs.map((b) => native(b)) };
  return {};
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** 20260105170001 */
export function compact(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}
/** 20260105T170000Z */
function cfStamp(t: number): string {
  const c = compact(t);
  return `${c.slice(0, 8)}T${c.slice(8)}Z`;
}
function ymd(t: number): string {
  return compact(t).slice(0, 8);
}
function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
function hex(rnd: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += ((rnd() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
  return s.slice(0, n);
}
function lines(n: number, make: (i: number) => unknown): Buffer {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(JSON.stringify(make(i)));
  return Buffer.from(`${out.join('\n')}\n`);
}

export const VESPA = {
  container: 'vespa-logs',
  scope: 'acme/shop-search/default',
  hosts: ['h1001a.prod.vespa-app.example', 'h1002b.prod.vespa-app.example'],
};
/**
 * Vespa Cloud on AWS: one dotted bucket per zone, shared by tenants (each sees its own prefix),
 * requester pays. s3rver enforces neither; the keys are what such a bucket holds.
 */
export const VESPA_AWS = { bucket: 'vespa-cloud-data-prod.aws-us-east-1c-9eb633', tenant: 'mytenant' };
export const CLOUDFLARE = { container: 'cf-logs', subpath: 'http_requests' };
export const AMPLITUDE = { container: 'amplitude', project: '187520' };
export const LOGZIO = { bucket: 'my-logzio-archive', account: '8675309' };
/** A generic dated export (YYYY/MM/DD/HH/ folders), as README's CI example pulls. */
export const EXPORTS = { container: 'exports' };

export interface SeedStep {
  provider: 'azure' | 's3';
  container: string;
  objects: SeedObject[];
  /** Upload at least a second after the previous step, so last-modified tells them apart. */
  later?: boolean;
}

export interface DemoData {
  /** In order: a later step's objects are newer (last-modified) than an earlier one's. */
  steps: SeedStep[];
  notes: string[];
  /** Keys the demo expects to see, by vendor (for the end-to-end test). */
  keys: { vespaHeapDump: string; vespaJfr: string; amplitudeBackfill: string[]; challengeToken: string };
}

function vespaAccess(t0: number, host: string, rnd: () => number): Buffer {
  const uris = [
    '/search/?query=shoes&hits=10',
    '/search/?query=running+shoes&ranking=bm25',
    '/document/v1/shop/product/docid/',
    '/state/v1/health',
    '/search/?yql=select+*+from+product+where+true',
  ];
  return lines(300, (i) => {
    const code = rnd() < 0.94 ? 200 : rnd() < 0.5 ? 404 : 503;
    const uri = uris[(rnd() * uris.length) | 0];
    return {
      ip: `10.0.${(rnd() * 255) | 0}.${(rnd() * 255) | 0}`,
      time: (t0 + i * 11_000 + ((rnd() * 1000) | 0)) / 1000,
      duration: Math.round(rnd() * 250) / 1000,
      responsesize: (rnd() * 40_000) | 0,
      requestsize: 0,
      code,
      method: 'GET',
      uri: uri.endsWith('/') ? `${uri}${(rnd() * 1e6) | 0}` : uri,
      version: 'HTTP/2.0',
      agent: 'shop-frontend/4.2',
      host: 'shop-search.acme.aws-eu-west-1a.z.vespa-app.cloud',
      scheme: 'https',
      localport: 4443,
      peeraddr: host,
      ...(uri.startsWith('/search') ? { search: { totalhits: (rnd() * 5000) | 0, hits: 10 } } : {}),
    };
  });
}

function vespaConnection(t0: number, rnd: () => number): Buffer {
  return lines(60, (i) => ({
    id: hex(rnd, 32),
    timestamp: new Date(t0 + i * 60_000).toISOString(),
    duration: Math.round(rnd() * 60_000) / 1000,
    peerAddress: `10.0.${(rnd() * 255) | 0}.${(rnd() * 255) | 0}`,
    peerPort: 40_000 + ((rnd() * 20_000) | 0),
    localPort: 4443,
    httpBytesReceived: (rnd() * 1e5) | 0,
    httpBytesSent: (rnd() * 1e6) | 0,
    requests: (rnd() * 100) | 0,
    responses: (rnd() * 100) | 0,
    ssl: { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
  }));
}

/** `bytes` bytes made of records picked at random (compressible, but not trivially). */
function fill(bytes: number, records: Buffer[], rnd: () => number): Buffer {
  const body = Buffer.alloc(bytes);
  let at = 0;
  while (at < bytes) at += records[(rnd() * records.length) | 0].copy(body, at);
  return body;
}

/** An HPROF-looking heap dump: the real header, then records with plenty of repetition. */
function heapDump(t: number, bytes: number, rnd: () => number): Buffer {
  const head = Buffer.alloc(31);
  head.write('JAVA PROFILE 1.0.2\0', 0, 'latin1');
  head.writeUInt32BE(8, 19);
  head.writeBigUInt64BE(BigInt(t), 23);
  const strings = [
    'java.lang.String',
    'java.util.HashMap$Node',
    'com.yahoo.search.result.Hit',
    'com.yahoo.document.Document',
    'byte[]',
    'char[]',
  ];
  const records = Array.from({ length: 4096 }, () =>
    Buffer.from(`\x01${hex(rnd, 16)}${strings[(rnd() * strings.length) | 0]}\x21${'\0'.repeat((rnd() * 48) | 0)}`, 'latin1'),
  );
  return Buffer.concat([head, fill(bytes - head.length, records, rnd)]);
}

/** A JFR-looking recording: the "FLR\0" magic and chunk version, then event-ish bytes. */
function jfrRecording(bytes: number, rnd: () => number): Buffer {
  const head = Buffer.from([0x46, 0x4c, 0x52, 0x00, 0x00, 0x02, 0x00, 0x01]);
  const events = ['jdk.ExecutionSample', 'jdk.GarbageCollection', 'jdk.ObjectAllocationSample', 'jdk.ThreadPark', 'jdk.CPULoad'];
  const records = Array.from({ length: 4096 }, () => Buffer.from(`${events[(rnd() * events.length) | 0]}\0${hex(rnd, 12)}\0`, 'latin1'));
  return Buffer.concat([head, fill(bytes - head.length, records, rnd)]);
}

/** Logpush's URI and its path without the query, as the http_requests dataset has both. */
function cfRequest(uri: string): { ClientRequestURI: string; ClientRequestPath: string } {
  return { ClientRequestURI: uri, ClientRequestPath: uri.split('?')[0] };
}

export function makeDemoData(now: number, comp: Compressor): DemoData {
  const rnd = prng(20260105);
  const notes: string[] = [];
  const hourStart = Math.floor(now / HOUR) * HOUR;
  const zExt = comp.zstd ? '.zst' : '.gz';
  // Vespa's files are zstd: collected here, compressed in one batch at the end.
  const toZstd: SeedObject[] = [];
  const zObj = (key: string, raw: Buffer): SeedObject => {
    const o: SeedObject = { key, body: comp.zstd ? raw : gzipSync(raw) };
    if (comp.zstd) toZstd.push(o);
    return o;
  };
  if (!comp.zstd)
    notes.push(
      'no zstd compressor here (neither the `zstd` program nor node:zlib zstd): Vespa files are seeded as .gz instead of .zst; install zstd (apt-get install zstd) to see .zst',
    );

  // --- Vespa Cloud (Azure): TENANT/APP/INSTANCE/HOST/logs/access/JsonAccessLog.CONTAINER.STAMP.zst
  const vespa: SeedObject[] = [];
  VESPA.hosts.forEach((host, h) => {
    const base = `${VESPA.scope}/${host}`;
    // Hourly rotated access logs for the last five hours, plus one two days old (outside --since 6h).
    for (const ago of [1, 2, 3, 4, 5, 48]) {
      const t = hourStart - ago * HOUR + (h + 1) * 1000;
      vespa.push(zObj(`${base}/logs/access/JsonAccessLog.default.${compact(t)}${zExt}`, vespaAccess(t, host, rnd)));
    }
    const tc = hourStart - HOUR + (h + 1) * 1000;
    vespa.push(zObj(`${base}/logs/connection/ConnectionLog.default.${compact(tc)}${zExt}`, vespaConnection(tc, rnd)));
  });
  const heapAt = now - 95 * MIN;
  const jfrAt = now - 40 * MIN;
  const vespaHeapDump = `${VESPA.scope}/${VESPA.hosts[0]}/service-dump/default-container.0-${heapAt}/jvm-heap-dump.bin${zExt}`;
  const vespaJfr = `${VESPA.scope}/${VESPA.hosts[1]}/service-dump/default-container.0-${jfrAt}/recording.jfr${zExt}`;
  vespa.push(zObj(vespaHeapDump, heapDump(heapAt, 6 * 1024 * 1024, rnd)));
  vespa.push(zObj(vespaJfr, jfrRecording(2 * 1024 * 1024, rnd)));
  // --- Vespa Cloud (AWS): the same hosts' access logs under the tenant's prefix of a zone's bucket;
  // the oldest host's in the older name without the cluster (JsonAccessLog.STAMP, as the GCP guide shows).
  const vespaAws: SeedObject[] = VESPA.hosts.flatMap((host, h) =>
    [1, 2, 3].map((ago) => {
      const t = hourStart - ago * HOUR + (h + 1) * 1000;
      const name = h === 1 ? `JsonAccessLog.${compact(t)}` : `JsonAccessLog.default.${compact(t)}`;
      return zObj(`${VESPA_AWS.tenant}/shop-search/default/${host}/logs/access/${name}${zExt}`, vespaAccess(t, host, rnd));
    }),
  );
  if (comp.zstd) for (const [i, b] of comp.zstd(toZstd.map((o) => o.body as Buffer)).entries()) toZstd[i].body = b;

  // --- Cloudflare Logpush (Azure): SUBPATH/YYYYMMDD/START_END_HASH.log.gz, 30-minute batches.
  const cloudflare: SeedObject[] = [];
  const cfEnd = Math.floor(now / (30 * MIN)) * 30 * MIN;
  const cfTimes: number[] = [];
  for (let i = 1; i <= 12; i++) cfTimes.push(cfEnd - i * 30 * MIN);
  // Yesterday's folder too, whatever the time of day.
  for (let i = 0; i < 3; i++) cfTimes.push(cfEnd - 26 * HOUR - i * 30 * MIN);
  for (const start of cfTimes) {
    const end = start + 30 * MIN;
    const body = lines(200, (i) => ({
      ClientIP: `203.0.113.${(rnd() * 254 + 1) | 0}`,
      ClientRequestHost: 'shop.example.com',
      ClientRequestMethod: rnd() < 0.9 ? 'GET' : 'POST',
      ...cfRequest(['/', '/products', '/cart', '/api/search?q=shoes', '/static/app.js'][(rnd() * 5) | 0]),
      EdgeStartTimestamp: new Date(start + i * 9_000).toISOString(),
      EdgeResponseStatus: rnd() < 0.95 ? 200 : 502,
      EdgeResponseBytes: (rnd() * 50_000) | 0,
      CacheCacheStatus: rnd() < 0.6 ? 'hit' : 'miss',
      RayID: hex(rnd, 16),
    }));
    cloudflare.push({
      key: `${CLOUDFLARE.subpath}/${ymd(start)}/${cfStamp(start)}_${cfStamp(end)}_${hex(rnd, 8)}.log.gz`,
      body: gzipSync(body),
      contentType: 'application/gzip',
    });
  }
  const challengeToken = createHash('sha256').update(`demo-${now}`).digest('base64url');
  cloudflare.push({ key: `${CLOUDFLARE.subpath}/ownership-challenge-${hex(rnd, 8)}.txt`, body: challengeToken, contentType: 'text/plain' });

  // --- Amplitude export (Azure): PROJECTID/PROJECTID_yyyy-MM-dd_H#PARTITION.json.gz, hour unpadded.
  const amplitude: SeedObject[] = [];
  const ampKey = (folder: string, t: number, part: number) =>
    `${folder}/${AMPLITUDE.project}_${isoDate(t)}_${new Date(t).getUTCHours()}#${part}.json.gz`;
  const ampBody = (t: number) =>
    gzipSync(
      lines(150, (i) => ({
        $insert_id: hex(rnd, 32),
        event_type: ['page_viewed', 'search_performed', 'product_added_to_cart', 'checkout_started'][(rnd() * 4) | 0],
        user_id: `user-${(rnd() * 5000) | 0}`,
        amplitude_id: 100_000_000 + ((rnd() * 1e6) | 0),
        event_time: new Date(t + i * 20_000).toISOString().replace('T', ' ').replace('Z', '000'),
        server_upload_time: new Date(t + i * 20_000 + 1500).toISOString().replace('T', ' ').replace('Z', '000'),
        platform: rnd() < 0.5 ? 'Web' : 'iOS',
        event_properties: { query: 'shoes', results: (rnd() * 100) | 0 },
      })),
    );
  for (let ago = 1; ago <= 5; ago++) {
    const t = hourStart - ago * HOUR;
    for (const part of [0, 1]) amplitude.push({ key: ampKey(AMPLITUDE.project, t, part), body: ampBody(t) });
  }
  // A backfill re-exported two of those hours into another folder (seeded later, so newer).
  const backfill: SeedObject[] = [2, 3].map((ago) => ({
    key: ampKey(`${AMPLITUDE.project}-backfill`, hourStart - ago * HOUR, 0),
    body: ampBody(hourStart - ago * HOUR),
  }));
  const amplitudeBackfill = backfill.map((o) => o.key);

  // --- Logz.io archive (S3): ACCOUNTID/YYYY/MM/DD/HH/FILE.json.gz plus the logzio-verified marker.
  const logzio: SeedObject[] = [{ key: 'logzio-verified', body: '', contentType: 'text/plain' }];
  for (let ago = 1; ago <= 6; ago++) {
    const t = hourStart - ago * HOUR;
    const d = new Date(t);
    const folder = `${LOGZIO.account}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}`;
    for (let n = 0; n < 2; n++) {
      const body = lines(120, (i) => ({
        '@timestamp': new Date(t + n * 30 * MIN + i * 15_000).toISOString(),
        type: n ? 'nginx' : 'checkout-service',
        message: n ? `GET /cart HTTP/1.1 200 ${(rnd() * 9000) | 0}` : `order ${hex(rnd, 10)} placed`,
        level: rnd() < 0.9 ? 'INFO' : 'ERROR',
        host: `ip-10-1-${(rnd() * 255) | 0}-${(rnd() * 255) | 0}`,
      }));
      logzio.push({ key: `${folder}/${t + n * 30 * MIN}-${hex(rnd, 12)}.json.gz`, body: gzipSync(body), contentType: 'application/gzip' });
    }
  }

  return {
    steps: [
      { provider: 'azure', container: VESPA.container, objects: vespa },
      { provider: 'azure', container: CLOUDFLARE.container, objects: cloudflare },
      { provider: 'azure', container: AMPLITUDE.container, objects: amplitude },
      { provider: 'azure', container: AMPLITUDE.container, objects: backfill, later: true },
      { provider: 's3', container: LOGZIO.bucket, objects: logzio },
      { provider: 's3', container: VESPA_AWS.bucket, objects: vespaAws },
      // The same hourly files, as any dated archiver would write them into a container.
      {
        provider: 'azure',
        container: EXPORTS.container,
        objects: logzio.filter((o) => o.key.endsWith('.json.gz')).map((o) => ({ ...o, key: o.key.slice(LOGZIO.account.length + 1) })),
      },
    ],
    notes,
    keys: { vespaHeapDump, vespaJfr, amplitudeBackfill, challengeToken },
  };
}
