/**
 * Preloaded into every CLI the tests spawn (NODE_OPTIONS=--import=…, set by test/support/cli.ts;
 * the product never loads it): any TCP/TLS connection or DNS lookup whose target is not the
 * loopback interface is refused, recorded and turned into a loud failure, so a test can never
 * reach a real cloud, IMDS (169.254.169.254) or a login endpoint by accident.
 *
 * Plain JavaScript on purpose: it must load without tsx, under both Node versions the suite runs.
 *
 * Why Socket.prototype.connect: http's Agent, tls.connect and undici (fetch) all end up there, but
 * they captured references to net.connect/createConnection before a preload could replace them.
 * Why exit and not just throw: SDKs catch connection errors and try the next credential or retry,
 * which would turn "a test contacted the internet" into a quiet pass.
 */
import net from 'node:net';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';

const LOG = process.env.ARCHIVE_TEST_GUARD_LOG;
export const GUARD_EXIT = 86;

function isLoopbackIp(host) {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h) || /^(0:){5}ffff:7f/.test(h);
  return false;
}

function isLoopbackName(host) {
  const h = String(host).toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackIp(h);
}

function trip(what) {
  const msg = `archive-test loopback guard: blocked ${what} (tests may only reach 127.0.0.1/::1)`;
  try {
    process.stderr.write(`${msg}\n`);
  } catch {
    /* stderr may be closed */
  }
  if (LOG) {
    try {
      appendFileSync(LOG, `${process.pid} ${what}\n`);
    } catch {
      /* the log is best effort; the exit code is the signal */
    }
  }
  process.exit(GUARD_EXIT);
}

/** The host a Socket#connect call targets, or undefined for a Unix socket / pipe. */
function targetOf(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // net internals call connect(normalizedArgs)
  if (a && typeof a === 'object') {
    if (a.path) return undefined;
    return { host: a.host ?? 'localhost', port: a.port };
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return undefined; // connect(path)
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: a };
}

/**
 * RFC 6761: names under .invalid never resolve, and name libraries may answer so without asking
 * a server. The guard does exactly that (no query leaves the machine), so a test can still show
 * what the CLI says about a host that does not resolve.
 */
function notFound(hostname, _opts, cb) {
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
  process.nextTick(() => cb(err));
}

function isInvalidName(host) {
  const h = String(host).toLowerCase().replace(/\.$/, '');
  return h === 'invalid' || h.endsWith('.invalid');
}

const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const t = targetOf(args);
  if (t && isInvalidName(t.host)) {
    const opts = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (opts && typeof opts === 'object') {
      opts.lookup = notFound;
      return origConnect.apply(this, args);
    }
  }
  if (t && !isLoopbackName(t.host)) trip(`connection to ${t.host}:${t.port}`);
  return origConnect.apply(this, args);
};

function guardLookup(name, orig) {
  return function guarded(hostname, ...rest) {
    if (!isLoopbackName(hostname)) trip(`DNS ${name}(${hostname})`);
    return orig.call(this, hostname, ...rest);
  };
}
for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveTxt', 'resolveSrv']) {
  if (typeof dns[fn] === 'function') dns[fn] = guardLookup(fn, dns[fn]);
  if (dns.promises && typeof dns.promises[fn] === 'function') dns.promises[fn] = guardLookup(fn, dns.promises[fn]);
}
