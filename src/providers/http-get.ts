/**
 * The lean read path: GETs of object bodies with the authorisation already in the URL or headers
 * (a SAS, a presigned query or a bearer token, made once by the SDKs), over keep-alive node:http /
 * node:https agents; through undici's EnvHttpProxyAgent when a proxy is configured.
 *
 * Why: the SDKs' request pipelines cost ~1.4 ms of CPU per GET (policies, header objects,
 * tracing spans) and hand the body through extra stream layers. Why node:http for the bytes and
 * not undici: undici parses with llhttp compiled to WebAssembly and copies every received chunk
 * into the WebAssembly heap first; on this machine that cost more CPU per GiB than the SDK path it
 * replaced (bench, 2 GiB from Azurite: 7.75 s against 4.84 s), while node:http parses in place.
 *
 * Error contract: `get` resolves with any HTTP status (the caller maps it like the SDK would) and
 * rejects only with an AbortError (the caller's signal) or an `HttpNetworkError` whose `code` is a
 * Node-style errno (ECONNRESET, ETIMEDOUT, …). No error built here carries the URL: a SAS or
 * presigned query is a secret and must never reach a message, a stack or --verbose output.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { redact } from '../redact.js';

/**
 * ARCHIVE_READ_PATH=sdk sends object reads through the SDKs as before: an escape hatch for a
 * network the lean path cannot cross, and the bench's before/after comparison.
 */
export function fastReadsEnabled(): boolean {
  return process.env.ARCHIVE_READ_PATH !== 'sdk';
}

export interface PreparedGet {
  /** scheme://host[:port]; never carries a secret. */
  origin: string;
  /** Path and query sent verbatim (no dot-segment normalisation); the query is a SECRET. */
  path: string;
  headers: Record<string, string>;
  /** GET unless given (the GCS provider also sends HEAD, PUT and DELETE this way). */
  method?: string;
  /** A request body (PUT). */
  body?: Buffer;
}

export interface GetResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export class HttpNetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HttpNetworkError';
  }
}

/**
 * Which environment variables choose a proxy. 'azure' copies @azure/core-rest-pipeline (one proxy,
 * HTTPS_PROXY || ALL_PROXY || HTTP_PROXY, for http and https targets alike, NO_PROXY honoured), so
 * the fast path goes exactly where the SDK's own requests go. 'standard' is curl's / the AWS CLI's
 * convention (HTTP_PROXY for http:, HTTPS_PROXY for https:, NO_PROXY).
 */
export type ProxyConvention = 'azure' | 'standard';

function env(name: string): string | undefined {
  return process.env[name] || process.env[name.toLowerCase()] || undefined;
}

export function proxySettings(convention: ProxyConvention): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const noProxy = env('NO_PROXY');
  if (convention === 'azure') {
    const p = env('HTTPS_PROXY') ?? env('ALL_PROXY') ?? env('HTTP_PROXY');
    return p ? { httpProxy: p, httpsProxy: p, noProxy } : undefined;
  }
  const httpProxy = env('HTTP_PROXY') ?? env('ALL_PROXY');
  const httpsProxy = env('HTTPS_PROXY') ?? env('ALL_PROXY');
  return httpProxy || httpsProxy ? { httpProxy, httpsProxy, noProxy } : undefined;
}

const dispatchers = new Map<ProxyConvention, Promise<Dispatcher>>();

/**
 * With a proxy configured: one undici EnvHttpProxyAgent per proxy convention for the whole
 * process (CONNECT tunnels for https, NO_PROXY matching), connections kept alive across objects
 * and parts. Loaded only then: runs without a proxy never load undici.
 */
function proxyDispatcher(convention: ProxyConvention): Promise<Dispatcher> {
  let d = dispatchers.get(convention);
  if (!d) {
    d = (async () => {
      const { EnvHttpProxyAgent } = await import('./undici-proxy.js');
      // 300 s of silence on a body is a dead connection, not a slow one; the retry loop resumes.
      return new EnvHttpProxyAgent({
        keepAliveTimeout: 30_000,
        bodyTimeout: 300_000,
        headersTimeout: 300_000,
        ...proxySettings(convention),
      });
    })();
    dispatchers.set(convention, d);
  }
  return d;
}

/** Node-style errno for an undici/net failure (what the retry loop and the error mappers know). */
export function networkCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'ECONNRESET';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'ETIMEDOUT';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'ECONNRESET'; // a body cut short: resumable like a reset
    default:
      // Anything else (a bad argument, a TLS failure) is not retried, as with the SDKs.
      return code ?? 'UNKNOWN';
  }
}

/** Splits an absolute URL into origin and verbatim path+query without URL normalisation. */
export function splitUrl(url: string): { origin: string; path: string } {
  const m = /^(https?:\/\/[^/?#]+)(.*)$/i.exec(url);
  if (!m) throw new HttpNetworkError('not an http(s) URL', 'EINVAL');
  return { origin: m[1]!, path: m[2] || '/' };
}

function networkError(err: unknown): HttpNetworkError {
  // A fresh error: the client's own may hold the request options (and so the signed path).
  const code = networkCode(err);
  const text = /^E[A-Z]+$/.test(code) ? `network error ${code}` : redact(String((err as Error)?.message ?? code)).split('\n')[0]!;
  return new HttpNetworkError(text, code);
}

/**
 * Keep-alive agents, one per scheme, made on first use: node:https (and TLS with it) is loaded
 * only for https endpoints, which a listing on a loopback emulator never is. Loaded with require,
 * not import(): an ESM import of a built-in builds its namespace from every export, and on Node 24
 * node:http's lazy WebSocket/CloseEvent/MessageEvent exports then load Node's own undici (and
 * zlib): 34–100 ms against 5 ms for require (this machine), paid by every listing and pull.
 */
type Scheme = { mod: typeof import('node:http') | typeof import('node:https'); agent: import('node:http').Agent };
const agents = new Map<boolean, Scheme>();
const require = createRequire(import.meta.url);
function agentFor(tls: boolean): Scheme {
  let a = agents.get(tls);
  if (!a) {
    const mod = (tls ? require('node:https') : require('node:http')) as Scheme['mod'];
    // Keep-alive, no per-host cap (the pull engine bounds concurrency), sockets reused LIFO.
    const o = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: Infinity, scheduling: 'lifo' as const };
    a = { mod, agent: new mod.Agent(o) };
    agents.set(tls, a);
  }
  return a;
}

/** One GET over node:http(s), path sent verbatim (no dot-segment normalisation). */
async function nodeGet(req: PreparedGet, signal?: AbortSignal): Promise<GetResponse> {
  const url = new URL(req.origin);
  const tls = url.protocol === 'https:';
  const a = agentFor(tls);
  return new Promise((resolve, reject) => {
    const r = a.mod.request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (tls ? 443 : 80),
        method: req.method ?? 'GET',
        path: req.path,
        headers: req.headers,
        agent: a.agent,
        signal,
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    r.on('error', (err) => reject(signal?.aborted ? (signal.reason ?? err) : networkError(err)));
    r.end(req.body);
  });
}

export async function get(req: PreparedGet, convention: ProxyConvention, signal?: AbortSignal): Promise<GetResponse> {
  signal?.throwIfAborted();
  if (!proxySettings(convention)) return nodeGet(req, signal);
  const dispatcher = await proxyDispatcher(convention);
  try {
    const res = await dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      signal,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body as unknown as Readable };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    throw networkError(err);
  }
}

/**
 * A whole (listing) response body as text. A connection lost mid-body rejects with an
 * HttpNetworkError (ECONNRESET, …): never a half page read as a whole one.
 */
export async function bodyText(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  try {
    for await (const c of body as AsyncIterable<Buffer>) parts.push(c);
  } catch (err) {
    throw networkError(err);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The start of an error response body (they are small XML documents), then the body is dropped. */
export async function errorBody(body: Readable, limit = 64 << 10): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of body as AsyncIterable<Buffer>) {
      parts.push(c);
      n += c.length;
      if (n >= limit) break;
    }
  } catch {
    // A broken error body still has its status code; the caller maps that.
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).toString('utf8', 0, Math.min(n, limit));
}

/** Text of the first <name>…</name> element of a small XML error document. */
export function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!m) return undefined;
  return m[1]!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function header(h: GetResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A ranged GET must answer with the bytes asked for: 206 from the requested offset, or 200 only
 * for a read from byte 0. Anything else (a proxy or server that ignores Range) would shift bytes.
 */
export function rangeMismatch(res: GetResponse, start: number): string | undefined {
  if (res.status === 200) return start === 0 ? undefined : 'the server ignored the byte range';
  const cr = header(res.headers, 'content-range');
  const m = cr ? /^bytes (\d+)-/.exec(cr) : null;
  if (m && Number(m[1]) !== start) return `the server answered bytes from ${m[1]} instead of ${start}`;
  return undefined;
}
