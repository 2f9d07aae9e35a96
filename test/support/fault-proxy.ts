/**
 * A reverse proxy between the CLI and an emulator that breaks object downloads on purpose:
 * connection resets, 503s, bodies cut short, slow bodies. Listing and other requests pass through
 * untouched so the faults land where retries and resume must cope with them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'reset' | '503' | 'truncate' | 'slow' | 'none';

export interface FaultProxy {
  url: string;
  port: number;
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  gets: number;
  setPlan(plan: (n: number, req: http.IncomingMessage) => Fault): void;
  close(): Promise<void>;
}

function isObjectGet(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET') return false;
  const url = req.url ?? '';
  return !/[?&](comp=list|restype=container|list-type=|delimiter=|prefix=)/.test(url) && !/[?&]comp=/.test(url) && url.split('?')[0].split('/').filter(Boolean).length >= 2;
}

export async function startFaultProxy(upstream: string, plan: (n: number, req: http.IncomingMessage) => Fault = () => 'none', opts: { slowBytesPerSec?: number } = {}): Promise<FaultProxy> {
  const up = new URL(upstream);
  let current = plan;
  const injected: Record<Fault, number> = { reset: 0, '503': 0, truncate: 0, slow: 0, none: 0 };
  let gets = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const fault: Fault = isObjectGet(req) ? current(gets++, req) : 'none';
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
    const fwd = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
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
      },
    );
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
