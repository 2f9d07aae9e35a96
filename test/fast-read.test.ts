/**
 * The lean read path (src/providers/http-get.ts, azure-fast-read.ts, s3-fast-read.ts) against the
 * real emulators: objects replaced mid-download (If-Match on resume and on every ranged part),
 * proxies from the environment (HTTPS_PROXY / HTTP_PROXY through a local forward + CONNECT proxy,
 * NO_PROXY bypass), and secrets (SAS, presigned query) never reaching stderr, even with --verbose.
 * Resets, 503s, truncated and slow bodies are covered by test/pull.test.ts and test/cat.test.ts,
 * which now run through this path.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { runCli } from './support/cli.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { walk, sha256 as sha } from './support/files.js';

const MiB = 1 << 20;

function isObjectGet(req: http.IncomingMessage): boolean {
  const url = req.url ?? '';
  return (
    req.method === 'GET' &&
    !/[?&](comp=|restype=|list-type=|delimiter=|prefix=)/.test(url) &&
    url.split('?')[0]!.split('/').filter(Boolean).length >= 2
  );
}

/**
 * A reverse proxy whose n-th object GET can be held (forwarded only once `hold` resolves) or cut
 * (half the body sent, then `cut` awaited, then the connection dropped): the test replaces the
 * object inside those windows, so the interleaving is fixed by events, not by sleeps.
 */
async function startGate(
  upstream: string,
  plan: (n: number) => { hold?: () => Promise<unknown>; cut?: () => Promise<unknown> } | undefined,
) {
  const up = new URL(upstream);
  let gets = 0;
  const statuses: number[] = [];
  const server = http.createServer(async (req, res) => {
    const step = isObjectGet(req) ? plan(gets++) : undefined;
    if (step?.hold) await step.hold();
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (isObjectGet(req)) statuses.push(upRes.statusCode ?? 0);
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!step?.cut) return void upRes.pipe(res);
      const half = Math.floor(Number(upRes.headers['content-length'] ?? 0) / 2);
      let sent = 0;
      upRes.on('data', async (chunk: Buffer) => {
        if (sent >= half) return;
        const piece = chunk.subarray(0, half - sent);
        sent += piece.length;
        if (sent < half) return void res.write(piece);
        upRes.destroy();
        res.write(piece, async () => {
          await step.cut!();
          req.socket.destroy();
        });
      });
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    statuses,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A forward proxy (absolute-URI requests) that also tunnels CONNECT, counting both. */
async function startForwardProxy() {
  const seen = { forwarded: 0, connects: 0 };
  const server = http.createServer((req, res) => {
    seen.forwarded++;
    const target = new URL(req.url ?? '');
    const fwd = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  server.on('connect', (req, socket, head) => {
    seen.connects++;
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

for (const name of PROVIDERS) {
  describe(`lean read path on ${name}`, () => {
    let p: ProviderFixture;
    let tmp: string;
    const files = new Map<string, Buffer>([
      ['logs/a.log', randomBytes(3 * MiB + 17)],
      ['logs/b.log', randomBytes(5 * MiB + 1)],
    ]);

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `archive-fast-${name}-`));
      p = await startProvider(name);
      await p.seed(
        'files',
        [...files].map(([key, body]) => ({ key, body })),
      );
    });
    after(async () => {
      await p?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('an object replaced while its body streams: the resumed read is refused (If-Match), exit 5, no mixed file; a re-run gets the new version', async () => {
      const v1 = randomBytes(6 * MiB + 3);
      const v2 = randomBytes(6 * MiB + 9);
      await p.seed('swap1', [
        { key: 'x/heap.bin', body: v1 },
        { key: 'x/stable.bin', body: files.get('logs/a.log')! },
      ]);
      let replaced = false;
      // The first object GET (heap.bin: keys are fetched in listing order with -c 1) is cut halfway;
      // the object is replaced before the connection drops, so the resumed read meets a new ETag.
      const g = await startGate(p.upstream, (n) =>
        n === 0
          ? {
              cut: async () => {
                await p.seed('swap1', [{ key: 'x/heap.bin', body: v2 }]);
                replaced = true;
              },
            }
          : undefined,
      );
      try {
        const via = p.via(g.url);
        const dest = join(tmp, 'swap1');
        const r = await runCli(['pull', via.loc('swap1'), dest, '-c', '1'], { env: via.env });
        assert.ok(replaced, 'the proxy replaced the object mid-body');
        const heap = join(dest, 'x/heap.bin');
        assert.equal(r.code, 5, r.stderr);
        if (name === 'azure') {
          assert.deepEqual(g.statuses.slice(0, 2), [206, 412], 'the resumed read was refused');
          assert.match(r.stderr, /archive: .*x\/heap\.bin.*the object changed while it was being read \(ConditionNotMet\)/);
        } else {
          // s3rver ignores If-Match on ranged GETs (S3 answers 412): the resumed read returns the new
          // version's bytes, and the MD5 check (single-part ETag) is what refuses the mixed file here.
          assert.match(r.stderr, /x\/heap\.bin: MD5 mismatch .*\(ChecksumMismatch\)/);
        }
        assert.ok(!existsSync(heap), 'no file under the final name');
        assert.deepEqual(
          walk(dest).filter((f) => !f.includes('.archive-part')),
          ['x/stable.bin'],
        );
        assert.ok(readFileSync(join(dest, 'x/stable.bin')).equals(files.get('logs/a.log')!));
        const again = await runCli(['pull', p.loc('swap1'), dest], { env: p.env });
        assert.equal(again.code, 0, again.stderr);
        assert.equal(sha(readFileSync(heap)), sha(v2));
        assert.deepEqual(walk(dest), ['x/heap.bin', 'x/stable.bin']);
      } finally {
        await g.close();
      }
    });

    test('an object replaced between its ranged parts: later parts are refused (If-Match), no mixed file', async () => {
      const v1 = randomBytes(12 * MiB);
      const v2 = randomBytes(12 * MiB);
      await p.seed('swap2', [{ key: 'dump.hprof', body: v1 }]);
      let swapped: Promise<void> | undefined;
      // Parts are 2 MiB, one at a time; the third part's request waits until the object is replaced.
      const g = await startGate(p.upstream, (n) =>
        n === 2 ? { hold: () => (swapped ??= p.seed('swap2', [{ key: 'dump.hprof', body: v2 }])) } : undefined,
      );
      try {
        const via = p.via(g.url);
        const dest = join(tmp, 'swap2');
        const r = await runCli(['pull', via.loc('swap2'), dest, '-c', '1', '--multipart-threshold', '4M', '--chunk-size', '2M'], {
          env: via.env,
        });
        assert.ok(swapped, 'the proxy replaced the object between parts');
        assert.notEqual(r.code, 0, r.stderr);
        if (name === 'azure') {
          assert.deepEqual(g.statuses.slice(0, 3), [206, 206, 412], 'the third part was refused');
          assert.match(r.stderr, /dump\.hprof.*the object changed while it was being read \(ConditionNotMet\)/);
        } else {
          // s3rver ignores If-Match (see above): the MD5 of the stitched file refuses it.
          assert.match(r.stderr, /dump\.hprof: MD5 mismatch .*\(ChecksumMismatch\)/);
        }
        assert.ok(!existsSync(join(dest, 'dump.hprof')), 'no file under the final name');
        const again = await runCli(['pull', p.loc('swap2'), dest], { env: p.env });
        assert.equal(again.code, 0, again.stderr);
        assert.equal(sha(readFileSync(join(dest, 'dump.hprof'))), sha(v2));
        assert.deepEqual(walk(dest), ['dump.hprof']);
      } finally {
        await g.close();
      }
    });

    test('object reads go through the proxy from the environment, and around it for NO_PROXY hosts', async () => {
      const proxy = await startForwardProxy();
      // The emulators speak http: Azure follows its SDK (HTTPS_PROXY covers http targets too);
      // S3 follows curl / the AWS CLI (HTTP_PROXY for http targets).
      const proxyVar = name === 'azure' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
      try {
        const dest = join(tmp, 'proxied');
        const r = await runCli(['pull', p.loc('files'), dest], { env: { ...p.env, [proxyVar]: proxy.url } });
        assert.equal(r.code, 0, r.stderr);
        for (const [key, body] of files) assert.ok(readFileSync(join(dest, key)).equals(body), key);
        assert.ok(proxy.seen.forwarded + proxy.seen.connects >= 1, JSON.stringify(proxy.seen));
        const before = { ...proxy.seen };
        const dest2 = join(tmp, 'bypassed');
        const r2 = await runCli(['pull', p.loc('files'), dest2], { env: { ...p.env, [proxyVar]: proxy.url, NO_PROXY: '127.0.0.1' } });
        assert.equal(r2.code, 0, r2.stderr);
        for (const [key, body] of files) assert.ok(readFileSync(join(dest2, key)).equals(body), key);
        assert.deepEqual(proxy.seen, before, 'nothing went through the proxy');
      } finally {
        await proxy.close();
      }
    });

    test('no SAS or presigned query in stderr, with --verbose, when reads are retried or refused', async () => {
      const proxy = await startFaultProxy(p.upstream, (n) => (n < 2 ? '503' : 'none'));
      const sas = generateBlobSASQueryParameters(
        { containerName: 'files', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3600_000) },
        new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      ).toString();
      const secrets = [
        /sig=/i,
        /X-Amz-Signature/i,
        /X-Amz-Credential/i,
        /se=\d{4}/,
        new RegExp(new URLSearchParams(sas).get('sig')!.slice(0, 12).replace(/[+/]/g, '.')),
      ];
      try {
        const via = p.via(proxy.url);
        // Azure: the caller's own SAS URL, no other credential.
        const loc = name === 'azure' ? `${via.loc('files')}?${sas}` : via.loc('files');
        const env = name === 'azure' ? {} : via.env;
        const r = await runCli(['pull', loc, join(tmp, 'secret'), '--verbose', '-c', '1'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /service answered 503/);
        for (const s of secrets) assert.doesNotMatch(r.stdout + r.stderr, s);
        for (const [key, body] of files) assert.ok(readFileSync(join(tmp, 'secret', key)).equals(body), key);
        if (name === 'azure') {
          // A list-only SAS: the listing works (SDK), every object read is refused (lean path).
          const listOnly = generateBlobSASQueryParameters(
            { containerName: 'files', permissions: ContainerSASPermissions.parse('l'), expiresOn: new Date(Date.now() + 3600_000) },
            new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
          ).toString();
          const denied = await runCli(['pull', `${p.loc('files')}?${listOnly}`, join(tmp, 'denied'), '--verbose'], {});
          assert.equal(denied.code, 3, denied.stderr);
          assert.match(denied.stderr, /permission denied \(AuthorizationPermissionMismatch\)/);
          const sig = new URLSearchParams(listOnly).get('sig')!;
          for (const s of [...secrets, /sig=/i]) assert.doesNotMatch(denied.stdout + denied.stderr, s);
          assert.ok(!(denied.stdout + denied.stderr).includes(sig) && !(denied.stdout + denied.stderr).includes(encodeURIComponent(sig)));
          assert.ok(!existsSync(join(tmp, 'denied', 'logs/a.log')));
        }
      } finally {
        await proxy.close();
      }
    });
  });
}
