/**
 * The lean listers (src/providers/azure-list.ts, s3-list.ts) against a proxy that breaks LIST
 * requests on purpose, in front of the real emulators: 503s are retried like the SDKs retried them
 * (4 tries), a connection cut mid-page is retried and never read as a short page, small pages
 * (the proxy rewrites the page size) are followed with the next page requested ahead, and a
 * service that keeps failing ends in the SDK path's error line and exit code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { runCli } from './support/cli.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';

type ListFault = 'forward' | '503' | 'cut';

interface ListProxy {
  url: string;
  /** LIST requests seen, with the fault each got. */
  seen: ListFault[];
  plan: (n: number) => ListFault;
  close(): Promise<void>;
}

const isList = (url: string) => /[?&](comp=list|list-type=)/.test(url);

/** Forwards everything; LIST requests get `plan(n)` and a page size of 7. */
async function startListProxy(upstream: string, provider: 'azure' | 's3'): Promise<ListProxy> {
  const up = new URL(upstream);
  const state: ListProxy = { url: '', seen: [], plan: () => 'forward', close: async () => undefined };
  const server = http.createServer((req, res) => {
    let path = req.url ?? '/';
    let fault: ListFault = 'forward';
    if (req.method === 'GET' && isList(path)) {
      fault = state.plan(state.seen.length);
      state.seen.push(fault);
      path = path.replace(/([?&])(maxresults|max-keys)=\d+/, '$1$2=7');
    }
    if (fault === '503') {
      const code = provider === 'azure' ? 'ServerBusy' : 'SlowDown';
      const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>busy, try again</Message></Error>`;
      res.writeHead(503, { 'content-type': 'application/xml', ...(provider === 'azure' ? { 'x-ms-error-code': code } : {}) });
      res.end(body);
      return;
    }
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path, headers: req.headers }, (upRes) => {
      if (fault !== 'cut') {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      // Half the page, then the connection dies: the declared length is never reached.
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const all = Buffer.concat(chunks);
        const headers = { ...upRes.headers, 'content-length': String(all.length) };
        delete headers['transfer-encoding'];
        res.writeHead(upRes.statusCode ?? 200, headers);
        res.write(all.subarray(0, all.length >> 1), () => res.socket?.destroy());
      });
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

const KEYS = Array.from({ length: 30 }, (_, i) => `logs/2026/01/05/part-${String(i).padStart(3, '0')}.json.gz`);

for (const name of PROVIDERS) {
  describe(`lean listing faults on ${name}`, () => {
    let p: ProviderFixture;
    let proxy: ListProxy;
    let direct: string[];
    let sas = '';
    before(async () => {
      p = await startProvider(name);
      await p.seed(
        'faults',
        KEYS.map((key) => ({ key, body: key })),
      );
      proxy = await startListProxy(p.upstream, name);
      sas = generateBlobSASQueryParameters(
        { containerName: 'faults', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 6 * 3_600_000) },
        new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      ).toString();
      const r = await runCli(['list', p.loc('faults'), '--ndjson'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      direct = r.stdout.trim().split('\n');
      assert.equal(direct.length, KEYS.length);
    });
    after(async () => {
      await proxy?.close();
      await p?.stop();
    });

    // Azure through a container SAS: the proxy rewrites the page size, which a Shared Key
    // signature covers and a SAS does not (the Shared Key path is covered by every other suite).
    const listVia = (format = '--ndjson') => {
      if (name === 'azure') return runCli(['list', `${proxy.url}/devstoreaccount1/faults?${sas}`, format], { env: {} });
      const v = p.via(proxy.url);
      return runCli(['list', v.loc('faults'), format], { env: v.env });
    };

    test('pages of 7 are all followed, in order, with no fault', async () => {
      proxy.seen = [];
      proxy.plan = () => 'forward';
      const r = await listVia();
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), direct);
      assert.equal(proxy.seen.length, 5, 'ceil(30 / 7) pages, no extra request');
    });

    for (const [label, plan, expectSeen] of [
      ['two 503s on the first page', (n: number) => (n < 2 ? '503' : 'forward'), 7],
      ['a 503 on a middle page', (n: number) => (n === 2 ? '503' : 'forward'), 6],
      ['a page cut mid-body', (n: number) => (n === 1 ? 'cut' : 'forward'), 6],
      ['three faults in a row (the fourth try answers)', (n: number) => (n >= 1 && n <= 3 ? (n === 2 ? 'cut' : '503') : 'forward'), 8],
    ] as const) {
      test(`${label}: retried, the same answer as without faults`, async () => {
        proxy.seen = [];
        proxy.plan = plan;
        const r = await listVia();
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.deepEqual(r.stdout.trim().split('\n'), direct);
        assert.equal(proxy.seen.length, expectSeen, proxy.seen.join(','));
      });
    }

    test('503 on every try: exit 1 with the service code after 4 tries, no partial output', async () => {
      proxy.seen = [];
      proxy.plan = () => '503';
      const r = await listVia('--json');
      assert.equal(r.code, 1, r.stderr);
      const what = name === 'azure' ? 'az://devstoreaccount1/faults' : 's3://faults';
      // The mapping's line as for the SDK path (a 503 carries no network hint).
      assert.equal(r.stderr, `archive: list ${what}: service answered 503 (${name === 'azure' ? 'ServerBusy' : 'SlowDown'})\n`);
      assert.equal(proxy.seen.length, 4);
      assert.doesNotMatch(r.stdout, /"count"/, 'no totals for a listing that failed');
    });
  });
}
