/**
 * A loopback stand-in for Microsoft Entra ID (login.microsoftonline.com), so the real
 * @azure/identity credentials (ClientSecretCredential, DeviceCodeCredential) run their real MSAL
 * flows in tests without any request leaving 127.0.0.1:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration
 *   POST /{tenant}/oauth2/v2.0/token        client_credentials (checks client id + secret) and
 *                                           device_code grants
 *   POST /{tenant}/oauth2/v2.0/devicecode   device authorization (auto-approved)
 * Tokens are unsigned JWTs shaped like Entra v1 storage tokens (iss https://sts.windows.net/…,
 * aud https://storage.azure.com): Azurite in `--oauth basic` mode checks issuer, audience and
 * lifetime but not the signature. HTTPS with a throwaway self-signed certificate (made with the
 * openssl binary) because both MSAL and Azurite refuse bearer tokens over plain HTTP.
 */
import { createServer, type Server } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TlsFiles {
  dir: string;
  cert: string;
  key: string;
  cleanup(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1/localhost; trust it in children via NODE_EXTRA_CA_CERTS. */
export async function makeCert(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'archive-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'ignore' },
  );
  return { dir, cert, key, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface FakeEntra {
  /** https://127.0.0.1:PORT — pass as authorityHost. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Object id put into issued tokens (and so into user-delegation keys). */
  objectId: string;
  /** Every request seen, for assertions (grant types, client ids). */
  requests: Array<{ path: string; grantType?: string; clientId?: string }>;
  /** Makes the next device-code poll answer authorization_pending this many times. */
  pendingPolls: number;
  stop(): Promise<void>;
}

function b64url(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function storageToken(tenantId: string, objectId: string, lifetimeSec = 3600, extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    aud: 'https://storage.azure.com',
    iss: `https://sts.windows.net/${tenantId}/`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + lifetimeSec,
    oid: objectId,
    tid: tenantId,
    sub: objectId,
    ...extra,
  };
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'test' })}.${b64url(payload)}.${Buffer.from('not-a-real-signature').toString('base64url')}`;
}

function idToken(authority: string, tenantId: string, clientId: string, objectId: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url({
    aud: clientId,
    iss: `${authority}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    oid: objectId,
    tid: tenantId,
    sub: objectId,
    preferred_username: 'guest@example.test',
    name: 'Guest User',
    ver: '2.0',
  })}.c2ln`;
}

export async function startFakeEntra(
  tls: TlsFiles,
  opts: { clientId?: string; clientSecret?: string; tenantId?: string } = {},
): Promise<FakeEntra> {
  const tenantId = opts.tenantId ?? randomUUID();
  const clientId = opts.clientId ?? randomUUID();
  const clientSecret = opts.clientSecret ?? `cs~${randomUUID()}${randomUUID()}`.replace(/-/g, '');
  const objectId = randomUUID();
  const [cert, key] = await Promise.all([readFile(tls.cert), readFile(tls.key)]);
  const state: FakeEntra = {
    authorityHost: '',
    tenantId,
    clientId,
    clientSecret,
    objectId,
    requests: [],
    pendingPolls: 0,
    stop: async () => undefined,
  };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', state.authorityHost);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const [, tenant, ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      state.requests.push({
        path: url.pathname,
        grantType: form.get('grant_type') ?? undefined,
        clientId: form.get('client_id') ?? undefined,
      });
      const base = `${state.authorityHost}/${tenant}`;
      if (path === '/v2.0/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        });
      }
      if (tenant !== tenantId)
        return json(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
      if (path === '/oauth2/v2.0/devicecode') {
        return json(res, 200, {
          device_code: 'test-device-code',
          user_code: 'ABCD-EFGH',
          verification_uri: `${state.authorityHost}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${state.authorityHost}/devicelogin and enter the code ABCD-EFGH to authenticate.`,
        });
      }
      if (path === '/oauth2/v2.0/token') {
        const grant = form.get('grant_type');
        const scope = form.get('scope') ?? '';
        if (!scope.includes('https://storage.azure.com/'))
          return json(res, 400, { error: 'invalid_scope', error_description: `unexpected scope ${scope}` });
        if (grant === 'client_credentials') {
          if (form.get('client_id') !== clientId) {
            return json(res, 400, {
              error: 'unauthorized_client',
              error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`,
            });
          }
          if (form.get('client_secret') !== clientSecret) {
            return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
          }
          return json(res, 200, {
            token_type: 'Bearer',
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: storageToken(tenantId, objectId, 3600, { appid: clientId }),
          });
        }
        if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
          if (state.pendingPolls > 0) {
            state.pendingPolls--;
            return json(res, 400, { error: 'authorization_pending', error_description: 'AADSTS70016: pending' });
          }
          const clientInfo = b64url({ uid: objectId, utid: tenantId });
          return json(res, 200, {
            token_type: 'Bearer',
            scope: scope,
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: storageToken(tenantId, objectId),
            refresh_token: 'test-refresh-token',
            id_token: idToken(state.authorityHost, tenantId, form.get('client_id') ?? clientId, objectId),
            client_info: clientInfo,
          });
        }
        return json(res, 400, { error: 'unsupported_grant_type', error_description: String(grant) });
      }
      json(res, 404, { error: 'not_found', error_description: url.pathname });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.authorityHost = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A fake `az` for AzureCliCredential (the Azure CLI link of the default chain): prints a token. */
export async function fakeAzCli(dir: string, tenantId: string, objectId: string): Promise<string> {
  const token = storageToken(tenantId, objectId, 3600, { appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' });
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const script = `#!/bin/sh
# stand-in for the Azure CLI: answers \`az account get-access-token\` only
case "$*" in
  *get-access-token*) printf '%s' '${JSON.stringify({
    accessToken: token,
    expiresOn: new Date(expires * 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '.000000'),
    expires_on: expires,
    subscription: 'x',
    tenant: tenantId,
    tokenType: 'Bearer',
  })}' ;;
  *) echo "fake az: unsupported: $*" >&2; exit 2 ;;
esac
`;
  const path = join(dir, 'az');
  await writeFile(path, script, { mode: 0o755 });
  return dir;
}

/**
 * Seeds an HTTPS Azurite (self-signed certificate) from a child process that trusts the
 * certificate through NODE_EXTRA_CA_CERTS, which only takes effect at process start.
 */
export async function seedOverTls(
  serviceUrl: string,
  certPath: string,
  container: string,
  objects: Array<{ key: string; body: string }>,
): Promise<void> {
  const { spawn } = await import('node:child_process');
  const { AZURITE_ACCOUNT, AZURITE_KEY } = await import('./emulators.js');
  const { ROOT } = await import('./cli.js');
  const code = `
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
const [url, account, key, container, objects] = JSON.parse(process.env.SEED_ARGS);
const cc = new BlobServiceClient(url, new StorageSharedKeyCredential(account, key)).getContainerClient(container);
await cc.createIfNotExists();
for (const o of objects) await cc.getBlockBlobClient(o.key).upload(Buffer.from(o.body), Buffer.byteLength(o.body));
`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: certPath,
        SEED_ARGS: JSON.stringify([serviceUrl, AZURITE_ACCOUNT, AZURITE_KEY, container, objects]),
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`seeding failed (${c}): ${err}`))));
  });
}
