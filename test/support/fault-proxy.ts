/**
 * A reverse proxy between the CLI and an emulator that breaks object downloads on purpose:
 * connection resets, 503s, 429s with Retry-After, bodies cut short, bodies with one byte flipped
 * (same length, so only a checksum can tell), slow bodies. Listing and other requests pass through
 * untouched so the faults land where retries and resume must cope with them — except that
 * `listPageSize` makes the service answer listings in smaller pages (as S3 and Azure may always
 * do), so paging is exercised without seeding thousands of keys.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'reset' | '503' | '429' | 'truncate' | 'flip' | 'slow' | 'none';

export interface ProxiedGet {
  n: number;
  fault: Fault;
  path: string;
  range?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface FaultProxy {
  url: string;
  port: number;
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  gets: number;
  /** Every object GET in arrival order, with the fault it got. */
  log: ProxiedGet[];
  /** Listing requests seen (any page). */
  lists: number;
  setPlan(plan: (n: number, req: http.IncomingMessage) => Fault): void;
  close(): Promise<void>;
}

function isObjectGet(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET') return false;
  const url = req.url ?? '';
  return (
    !/[?&](comp=list|restype=container|list-type=|delimiter=|prefix=)/.test(url) &&
    !/[?&]comp=/.test(url) &&
    url.split('?')[0].split('/').filter(Boolean).length >= 2
  );
}

function isListing(req: http.IncomingMessage): boolean {
  return req.method === 'GET' && /[?&](comp=list|list-type=)/.test(req.url ?? '');
}

export interface FaultProxyOptions {
  slowBytesPerSec?: number;
  /** Seconds sent in Retry-After with a '429' fault (default 1). */
  retryAfterSec?: number;
  /** Rewrites the page size a listing asks for (Azure maxresults, S3 max-keys). */
  listPageSize?: number;
  /** Faults for listing requests ('503', '429' or 'reset'), by their number (0-based); default none. */
  listPlan?: (n: number, req: http.IncomingMessage) => Fault;
}

export async function startFaultProxy(
  upstream: string,
  plan: (n: number, req: http.IncomingMessage) => Fault = () => 'none',
  opts: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const up = new URL(upstream);
  let current = plan;
  const injected: Record<Fault, number> = { reset: 0, '503': 0, '429': 0, truncate: 0, flip: 0, slow: 0, none: 0 };
  let gets = 0;
  let lists = 0;
  const log: ProxiedGet[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const objectGet = isObjectGet(req);
    const n = gets;
    const listing = isListing(req);
    const fault: Fault = objectGet ? current(gets++, req) : listing && opts.listPlan ? opts.listPlan(lists, req) : 'none';
    if (objectGet)
      log.push({
        n,
        fault,
        path: (req.url ?? '').split('?')[0],
        range: (req.headers.range ?? req.headers['x-ms-range']) as string | undefined,
        at: Date.now(),
      });
    if (listing) {
      lists++;
      if (opts.listPageSize) {
        const u = new URL(req.url ?? '/', 'http://x');
        const param = u.searchParams.has('list-type') ? 'max-keys' : 'maxresults';
        u.searchParams.set(param, String(opts.listPageSize));
        // Only the query changes; S3 signatures cover it, and s3rver does not verify them.
        req.url = u.pathname + u.search;
      }
    }
    const clientSocket = req.socket;
    injected[fault]++;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>injected</Message></Error>');
      return;
    }
    if (fault === '429') {
      req.resume();
      res.writeHead(429, {
        'content-type': 'application/xml',
        'retry-after': String(opts.retryAfterSec ?? 1),
        'x-ms-error-code': 'TooManyRequests',
      });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>TooManyRequests</Code><Message>injected throttling</Message></Error>');
      return;
    }
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (fault === 'truncate') {
        const total = Number(upRes.headers['content-length'] ?? 0);
        const cut = Math.max(1, Math.floor(total / 2));
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (sent >= cut) return;
          const piece = chunk.subarray(0, cut - sent);
          sent += piece.length;
          // Headers promised more: closing the socket once this piece is out is a truncated body.
          if (sent >= cut) {
            upRes.destroy();
            res.write(piece, () => clientSocket.destroy());
          } else res.write(piece);
        });
        upRes.on('end', () => res.end());
        return;
      }
      if (fault === 'flip') {
        // One byte in the middle of this response inverted; length and headers unchanged.
        const total = Number(upRes.headers['content-length'] ?? 0);
        const at = Math.floor(total / 2);
        let seen = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (at >= seen && at < seen + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[at - seen] ^= 0xff;
          }
          seen += chunk.length;
          res.write(chunk);
        });
        upRes.on('end', () => res.end());
        return;
      }
      if (fault === 'slow') {
        const rate = opts.slowBytesPerSec ?? 1 << 20;
        upRes.on('data', (chunk: Buffer) => {
          upRes.pause();
          res.write(chunk);
          setTimeout(() => upRes.resume(), (chunk.length / rate) * 1000);
        });
        upRes.on('end', () => res.end());
        return;
      }
      upRes.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    injected,
    get gets() {
      return gets;
    },
    log,
    get lists() {
      return lists;
    },
    setPlan(p) {
      current = p;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
