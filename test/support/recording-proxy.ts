/**
 * A recording reverse proxy in front of an S3 endpoint (s3rver, or the SigV4-checking IAM proxy in
 * front of it): every request is recorded with the headers it carried and the headers its SigV4
 * signature covers (SignedHeaders of the Authorization header, or X-Amz-SignedHeaders of a
 * presigned URL), and a policy may answer it as S3 would instead of forwarding it.
 *
 * Why a proxy: s3rver ignores `x-amz-request-payer` (it has no requester-pays buckets) and has no
 * bucket policies, so neither "every request carries the signed header" nor "S3 denies a request
 * without it" nor "a tenant may list only its own prefix" can be seen from the emulator alone.
 * The proxy records the first and answers the other two with S3's own 403 AccessDenied.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type S3Op = 'list' | 'get' | 'head' | 'put' | 'delete' | 'buckets' | 'other';

export interface RecordedRequest {
  method: string;
  /** Path as sent, decoded: `/BUCKET/KEY` (path-style). */
  path: string;
  query: URLSearchParams;
  op: S3Op;
  bucket: string;
  key: string;
  headers: http.IncomingHttpHeaders;
  /** Header names the signature covers (lower-case); empty when unsigned. */
  signedHeaders: string[];
  /** 'header' (Authorization) or 'query' (a presigned URL). */
  signedBy?: 'header' | 'query';
  range?: string;
  /** What the client got: the proxy's own answer or the upstream's status. */
  status?: number;
}

export type Answer = { status: number; code: string; message: string } | 'reset' | undefined;

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Decides per request (before forwarding); undefined forwards it. */
  setPolicy(p: (r: RecordedRequest, nth: number) => Answer): void;
  clear(): void;
  close(): Promise<void>;
}

function opOf(method: string, key: string, q: URLSearchParams, bucket: string): S3Op {
  if (!bucket) return 'buckets';
  if (!key) return method === 'GET' && (q.has('list-type') || q.has('prefix') || q.has('delimiter') || !q.size) ? 'list' : 'other';
  if (method === 'GET') return 'get';
  if (method === 'HEAD') return 'head';
  if (method === 'PUT' || method === 'POST') return 'put';
  if (method === 'DELETE') return 'delete';
  return 'other';
}

function signed(req: http.IncomingMessage, q: URLSearchParams): { names: string[]; by?: 'header' | 'query' } {
  const m = /SignedHeaders=([^,\s]+)/.exec(req.headers.authorization ?? '');
  if (m) return { names: m[1]!.split(';'), by: 'header' };
  const fromQuery = q.get('X-Amz-SignedHeaders');
  if (fromQuery) return { names: fromQuery.split(';'), by: 'query' };
  return { names: [] };
}

/** A request as S3 parses it (path-style: the first segment is the bucket). */
export function describe(req: http.IncomingMessage): RecordedRequest {
  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?');
  const q = new URLSearchParams(rawQuery);
  const parts = rawPath.split('/');
  const bucket = decodeURIComponent(parts[1] ?? '');
  const key = parts.slice(2).map(decodeURIComponent).join('/');
  const method = req.method ?? 'GET';
  const s = signed(req, q);
  return {
    method,
    path: decodeURIComponent(rawPath),
    query: q,
    op: opOf(method, key, q, bucket),
    bucket,
    key,
    headers: req.headers,
    signedHeaders: s.names,
    signedBy: s.by,
    range: req.headers.range,
  };
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const up = new URL(upstream);
  const requests: RecordedRequest[] = [];
  let policy: (r: RecordedRequest, nth: number) => Answer = () => undefined;
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const r = describe(req);
    requests.push(r);
    const id = `${r.method} ${r.path} ${r.range ?? ''}`;
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    const answer = policy(r, nth);
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    if (answer) {
      req.resume();
      r.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/xml', 'x-amz-request-id': 'proxy' });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>${answer.message}</Message><RequestId>proxy</RequestId></Error>`,
      );
      return;
    }
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      r.status = upRes.statusCode;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setPolicy: (p) => {
      policy = p;
    },
    clear: () => {
      requests.length = 0;
      seen.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** S3's answer to a request on a requester-pays bucket that does not say the requester pays. */
export const REQUESTER_PAYS_DENIED: Answer = { status: 403, code: 'AccessDenied', message: 'Access Denied' };

/**
 * The policy of a Vespa Cloud archive bucket as its guide describes it: requester pays (every
 * request must carry `x-amz-request-payer: requester`), and a tenant sees only its own prefix.
 */
export function vespaBucketPolicy(tenantPrefix: string): (r: RecordedRequest) => Answer {
  return (r) => {
    if (r.headers['x-amz-request-payer'] !== 'requester') return REQUESTER_PAYS_DENIED;
    if (r.op === 'list' && !(r.query.get('prefix') ?? '').startsWith(tenantPrefix)) return REQUESTER_PAYS_DENIED;
    if ((r.op === 'get' || r.op === 'head' || r.op === 'put' || r.op === 'delete') && !r.key.startsWith(tenantPrefix))
      return REQUESTER_PAYS_DENIED;
    return undefined;
  };
}
