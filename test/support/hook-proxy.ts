/**
 * A reverse proxy in front of an emulator whose object GETs can be held back or answered with a
 * reset until the test says so: tests use it to order events (e.g. "object b has failed before
 * object a's bytes arrive") by synchronising on what the server saw, never on sleeps.
 * Listing requests always pass straight through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type HookAction = 'forward' | 'reset';

export interface HookProxy {
  url: string;
  /** Object GETs answered so far, by key (path after the container, URL-decoded). */
  answered: Map<string, number>;
  /** Resolves once `key` has been answered `times` times (reset, or response fully sent). */
  answeredTimes(key: string, times?: number): Promise<void>;
  close(): Promise<void>;
}

/** The object key of an object GET, or undefined for listings and service calls. */
export function objectKeyOf(req: http.IncomingMessage, pathPrefixSegments: number): string | undefined {
  if (req.method !== 'GET') return undefined;
  const [path, query = ''] = (req.url ?? '').split('?');
  if (/(^|&)(comp|restype|list-type|delimiter|prefix)=/.test(query)) return undefined;
  const segs = path.split('/').filter(Boolean);
  if (segs.length <= pathPrefixSegments) return undefined;
  return segs.slice(pathPrefixSegments).map(decodeURIComponent).join('/');
}

/**
 * `pathPrefixSegments`: segments before the key (Azurite: account + container = 2; s3rver path
 * style: bucket = 1). `hook` runs before each object GET is forwarded and may wait.
 */
export async function startHookProxy(
  upstream: string,
  pathPrefixSegments: number,
  hook: (key: string, nth: number) => Promise<HookAction> | HookAction,
): Promise<HookProxy> {
  const up = new URL(upstream);
  const answered = new Map<string, number>();
  const seen = new Map<string, number>();
  const waiters: Array<{ key: string; times: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const markAnswered = (key: string) => {
    answered.set(key, (answered.get(key) ?? 0) + 1);
    for (const w of [...waiters]) {
      if (w.key === key && (answered.get(key) ?? 0) >= w.times) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server = http.createServer((req, res) => {
    const key = objectKeyOf(req, pathPrefixSegments);
    const go = async () => {
      if (key !== undefined) {
        const nth = (seen.get(key) ?? 0) + 1;
        seen.set(key, nth);
        if ((await hook(key, nth)) === 'reset') {
          req.socket.destroy();
          markAnswered(key);
          return;
        }
      }
      const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        if (key !== undefined) res.on('finish', () => markAnswered(key));
      });
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    };
    go().catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    answeredTimes: (key, times = 1) =>
      (answered.get(key) ?? 0) >= times ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ key, times, resolve })),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
