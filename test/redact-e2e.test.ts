/**
 * Issue #10 item 6 through the spawned CLI, against services that echo what they were sent:
 *   - a storage endpoint answering every request with an error whose body quotes the request URL
 *     (with its SAS) raw, URL-encoded once and twice, and in base64;
 *   - an Entra-like token endpoint answering 401 with the form body (client_secret=…) echoed
 *     raw and URL-encoded once more;
 * each run without and with --verbose, with stdout+stderr scanned for every shape of the secret.
 * And: the zstd child process gets no cloud credentials in its environment (a real `zstd` found
 * first on PATH is a wrapper script that records its environment, then runs the real program).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { makeCert, type TlsFiles } from './support/oauth.js';
import { startProvider, type ProviderFixture } from './support/providers.js';
import { ZstdFixtures, zstdProgram } from './support/zstd-fixtures.js';

const SIG = 'cR1s+Ab/9xQ7kLmN0pQr5tUvWxYz12/34+56EfGhIjK=';
// Older Entra/AAD secrets carry + / = [ ] : @ besides ~ . _ -, all of which encoders treat differently.
const CLIENT_SECRET = 'cs~Q8x.Yz_12+34/56=ab[cd]ef@gh:ij~klmnop';
const encN = (s: string, n: number) => Array.from({ length: n }).reduce<string>((acc) => encodeURIComponent(acc), s);

function shapesOf(secret: string): string[] {
  const out = new Set<string>([secret]);
  for (let n = 1; n <= 4; n++) {
    out.add(encN(secret, n));
    out.add(encN(secret, n).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  out.add(new URLSearchParams({ x: secret }).toString().slice(2));
  // Form-encoded (which also escapes ~ ! ' ( ) *), then URL-encoded again by an echoing service.
  for (let n = 0; n <= 3; n++) out.add(encN(new URLSearchParams({ x: secret }).toString().slice(2), n));
  for (const f of [secret, encodeURIComponent(secret)]) {
    out.add(Buffer.from(f).toString('base64'));
    out.add(Buffer.from(f).toString('base64url'));
    // A recognisable middle piece of the base64 (what survives inside a longer blob).
    out.add(Buffer.from(f).toString('base64').slice(4, 20));
  }
  return [...out];
}

function assertNoSecret(secret: string, text: string, what: string): void {
  for (const shape of shapesOf(secret)) assert.ok(!text.includes(shape), `${what}: the secret appears as ${shape}:\n${text}`);
}

/** Answers every request with `status` + `code`, the body quoting the request URL in four shapes. */
async function startEchoStorage(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const container = (req.url ?? '').split('?')[0].split('/')[2] ?? '';
    const [status, code] =
      container === 'generic'
        ? [400, 'InvalidQueryParameterValue']
        : container === 'unknown'
          ? [403, 'KeyBasedAuthenticationNotPermitted']
          : [403, 'AuthorizationFailure'];
    const u = req.url ?? '';
    const msg = `Request refused. Url=${u} Once=${encN(u, 1)} Twice=${encN(u, 2)} Blob=${Buffer.from(u).toString('base64')}`;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, 'x-echo-url': encN(u, 2) });
    res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${msg.replace(/&/g, '&amp;')}</Message></Error>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Entra-shaped discovery, and a token endpoint that refuses, echoing the form body. */
async function startEchoEntra(tls: TlsFiles): Promise<{ authority: string; tokenRequests: number; close(): Promise<void> }> {
  const [cert, key] = [readFileSync(tls.cert), readFileSync(tls.key)];
  const state = { tokenRequests: 0, authority: '' };
  const server = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', state.authority);
      const [, tenant] = url.pathname.split('/');
      const base = `${state.authority}/${tenant}`;
      res.setHeader('content-type', 'application/json');
      if (url.pathname.endsWith('/.well-known/openid-configuration')) {
        res.end(
          JSON.stringify({
            issuer: `${base}/v2.0`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            response_types_supported: ['code'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            scopes_supported: ['openid'],
          }),
        );
        return;
      }
      state.tokenRequests++;
      const body = Buffer.concat(chunks).toString();
      res.statusCode = 401;
      res.end(
        JSON.stringify({
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Request: ${encN(body, 1)} Twice: ${encN(body, 2)} Raw: ${body}`,
          echo: body,
          echo_b64: Buffer.from(body).toString('base64'),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.authority = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authority: state.authority,
    get tokenRequests() {
      return state.tokenRequests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('no secret in any encoding, against echoing services', () => {
  let storage: Awaited<ReturnType<typeof startEchoStorage>>;
  let tls: TlsFiles;
  let entra: Awaited<ReturnType<typeof startEchoEntra>>;
  before(async () => {
    storage = await startEchoStorage();
    tls = await makeCert();
    entra = await startEchoEntra(tls);
  });
  after(async () => {
    await storage?.close();
    await entra?.close();
    await tls?.cleanup();
  });

  for (const container of ['logs', 'unknown', 'generic']) {
    for (const verbose of [false, true]) {
      test(`a SAS URL echoed back by a ${container === 'logs' ? '403 AuthorizationFailure' : container === 'unknown' ? '403 with an unknown code' : '400'} body${verbose ? ', --verbose' : ''}`, async () => {
        const before = storage.requests;
        const sasUrl = `${storage.url}/devstoreaccount1/${container}?sv=2024-08-04&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=${encodeURIComponent(SIG)}`;
        for (const cmd of [
          ['list', sasUrl],
          ['cat', sasUrl],
          ['validate', sasUrl, '--no-write'],
        ]) {
          const r = await runCli([...cmd, ...(verbose ? ['--verbose'] : [])], { env: {} });
          assert.notEqual(r.code, 0, `${cmd[0]} must fail`);
          assert.match(r.stderr + r.stdout, /archive: |✗/);
          assertNoSecret(SIG, r.stdout + r.stderr, `${cmd[0]}${verbose ? ' --verbose' : ''}`);
          // list prints the cause chain with --verbose: the echo reaches the output, redacted.
          if (verbose && cmd[0] === 'list') assert.match(r.stderr, /sig%253DREDACTED/, r.stderr);
        }
        assert.ok(storage.requests > before, 'the service was really asked');
      });
    }
  }

  for (const verbose of [false, true]) {
    test(`a token endpoint echoing the client_secret form body${verbose ? ', --verbose' : ''}`, async () => {
      const before = entra.tokenRequests;
      const env = {
        NODE_EXTRA_CA_CERTS: tls.cert,
        AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
        AZURE_AUTHORITY_HOST: entra.authority,
      };
      for (const cmd of [
        ['list', 'https://127.0.0.1:1/devstoreaccount1/logs'],
        ['validate', 'https://127.0.0.1:1/devstoreaccount1/logs', '--no-write'],
      ]) {
        const r = await runCli([...cmd, ...(verbose ? ['--verbose'] : [])], { env });
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assertNoSecret(CLIENT_SECRET, r.stdout + r.stderr, `${cmd[0]}${verbose ? ' --verbose' : ''}`);
        if (verbose && cmd[0] === 'list') {
          for (const form of ['client_secret=REDACTED', 'client_secret%3DREDACTED', 'client_secret%253DREDACTED'])
            assert.ok(r.stderr.includes(form), `${form} in:\n${r.stderr}`);
        }
      }
      assert.ok(entra.tokenRequests > before, 'the token endpoint was really asked');
    });
  }
});

describe('the zstd child process environment', () => {
  const real = zstdProgram();
  let p: ProviderFixture;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archive-zstd-env-'));
    if (!real) return;
    p = await startProvider('azure');
    const fx = new ZstdFixtures(real);
    await p.seed('zst', [{ key: 'a/x.log.zst', body: fx.compress(Buffer.from('decoded by the zstd program\n')) }]);
    fx.cleanup();
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('gets PATH and locale but no AZURE_*/AWS_*/ARCHIVE_*/other credentials', async (t) => {
    if (!real) return t.skip('no zstd program on this machine');
    const dump = join(dir, 'env.txt');
    const bin = join(dir, 'bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(bin));
    // The dump path is written into the script: an env var carrying it would be dropped too.
    writeFileSync(join(bin, 'zstd'), `#!/bin/sh\nenv > '${dump}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'zstd'), 0o755);
    const r = await runCli(['cat', p.loc('zst', 'a/')], {
      env: {
        ...p.env,
        PATH: `${bin}:${process.env.PATH}`,
        LANG: 'C.UTF-8',
        ARCHIVE_ZSTD_DECODER: 'binary',
        AZURE_STORAGE_KEY: 'azure-key-that-must-not-leak',
        AWS_SECRET_ACCESS_KEY: 'aws-secret-that-must-not-leak',
        AWS_SESSION_TOKEN: 'aws-session-that-must-not-leak',
        ARCHIVE_PROFILE: 'some-profile',
        GITHUB_TOKEN: 'ghp_token_that_must_not_leak',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'decoded by the zstd program\n', 'the real zstd decoded it (through the wrapper)');
    const seen = await readFile(dump, 'utf8');
    const names = seen
      .split('\n')
      .map((l) => l.split('=')[0])
      .filter(Boolean);
    assert.ok(names.includes('PATH'), seen);
    assert.ok(names.includes('LANG'), seen);
    for (const bad of [
      'AZURE_STORAGE_CONNECTION_STRING',
      'AZURE_STORAGE_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'ARCHIVE_PROFILE',
      'ARCHIVE_ZSTD_DECODER',
      'GITHUB_TOKEN',
    ]) {
      assert.ok(!names.includes(bad), `${bad} reached the child:\n${seen}`);
    }
    assert.ok(!/must-not-leak|AccountKey/.test(seen));
  });
});
