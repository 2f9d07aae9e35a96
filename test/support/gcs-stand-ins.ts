/**
 * Loopback stand-ins for Google's side of Cloud Storage, none of which installs here (no GCS
 * emulator: fake-gcs-server is a Go binary, Firebase's emulator needs Java 21):
 *  - a token endpoint (oauth2.googleapis.com/token) for the service-account JWT bearer grant and the
 *    refresh-token grant, which VERIFIES the JWT's RS256 signature with the service account's public
 *    key and its claims (iss, aud = the token URI, scope, a one-hour lifetime), and the metadata
 *    server's token path (checks `Metadata-Flavor: Google`);
 *  - a bearer gate in front of s3rver (which speaks the XML API's S3 protocol but knows no OAuth):
 *    it records every request, answers 401 unless `Authorization: Bearer` carries a token the
 *    endpoint issued, answers 400 UserProjectMissing (GCS's requester-pays answer) when
 *    `requireProject` is set and `x-goog-user-project` differs, then forwards without the bearer.
 * What they cannot show: Google's real IAM decisions, token audiences of other Google APIs, real
 * GCS listing quirks (the XML API is played by s3rver).
 */
import http from 'node:http';
import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { describe as describeRequest, type RecordedRequest } from './recording-proxy.js';

export interface GoogleStub {
  url: string;
  tokenUri: string;
  /** A service-account key file's JSON (type service_account) whose token_uri is this stub. */
  serviceAccount: Record<string, string>;
  /** An authorized_user file's JSON (gcloud ADC) whose token_uri is this stub. */
  authorizedUser: Record<string, string>;
  issued: Set<string>;
  /** Every grant: its type, and for JWTs whether the signature verified and the claims. */
  grants: Array<{ grant: string; verified?: boolean; claims?: Record<string, unknown>; metadata?: boolean }>;
  stop(): Promise<void>;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closer(server: http.Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
}

export async function startGoogleStub(): Promise<GoogleStub> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const issued = new Set<string>();
  const grants: GoogleStub['grants'] = [];
  const email = 'archive-reader@my-project-123.iam.gserviceaccount.com';
  const refreshToken = `1//refresh-${randomBytes(8).toString('hex')}`;
  let tokenUri = '';
  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const token = (res: http.ServerResponse) => {
    const t = `ya29.stub-${randomBytes(12).toString('hex')}`;
    issued.add(t);
    answer(res, 200, { access_token: t, expires_in: 3599, token_type: 'Bearer' });
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) {
        grants.push({ grant: 'metadata', metadata: req.headers['metadata-flavor'] === 'Google' });
        if (req.headers['metadata-flavor'] !== 'Google') return answer(res, 403, { error: 'missing Metadata-Flavor' });
        return token(res);
      }
      if (req.method !== 'POST' || req.url !== '/token') return answer(res, 404, { error: 'not_found' });
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const grant = form.get('grant_type') ?? '';
      if (grant === 'refresh_token') {
        grants.push({ grant });
        if (form.get('refresh_token') !== refreshToken || form.get('client_secret') !== 'd-FL95Q19q7MQmFpd7hHD0Ty')
          return answer(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        return token(res);
      }
      if (grant !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return answer(res, 400, { error: 'unsupported_grant_type' });
      const [h = '', c = '', s = ''] = (form.get('assertion') ?? '').split('.');
      const verified = createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(s, 'base64url'));
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, number | string>;
      grants.push({ grant, verified, claims });
      const ok =
        verified &&
        header.alg === 'RS256' &&
        header.kid === 'key-0001' &&
        claims.iss === email &&
        claims.aud === tokenUri &&
        typeof claims.scope === 'string' &&
        claims.scope.includes('devstorage') &&
        Number(claims.exp) - Number(claims.iat) === 3600;
      if (!ok) return answer(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      token(res);
    });
  });
  const stop = closer(server);
  const url = await listen(server);
  tokenUri = `${url}/token`;
  return {
    url,
    tokenUri,
    serviceAccount: {
      type: 'service_account',
      project_id: 'my-project-123',
      private_key_id: 'key-0001',
      private_key: pem,
      client_email: email,
      client_id: '100000000000000000001',
      token_uri: tokenUri,
    },
    authorizedUser: {
      type: 'authorized_user',
      client_id: '764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com',
      client_secret: 'd-FL95Q19q7MQmFpd7hHD0Ty',
      refresh_token: refreshToken,
      token_uri: tokenUri,
    },
    issued,
    grants,
    stop,
  };
}

export interface BearerGate {
  url: string;
  requests: RecordedRequest[];
  /** When set, a request without this x-goog-user-project gets GCS's 400 UserProjectMissing. */
  requireProject?: string;
  stop(): Promise<void>;
}

export async function startBearerGate(upstream: string, issued: Set<string>): Promise<BearerGate> {
  const up = new URL(upstream);
  const gate: BearerGate = { url: '', requests: [], stop: async () => undefined };
  const server = http.createServer((req, res) => {
    const r = describeRequest(req);
    gate.requests.push(r);
    const deny = (status: number, code: string, message: string) => {
      req.resume();
      r.status = status;
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      );
    };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issued.has(bearer)) return deny(401, 'AuthenticationRequired', 'Authentication required.');
    if (gate.requireProject && req.headers['x-goog-user-project'] !== gate.requireProject)
      return deny(400, 'UserProjectMissing', 'Bucket is a requester pays bucket but no user project provided.');
    const headers = { ...req.headers };
    delete headers.authorization; // s3rver knows no OAuth: it serves the gate's checked request anonymously
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (upRes) => {
      r.status = upRes.statusCode;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  gate.stop = closer(server);
  gate.url = await listen(server);
  return gate;
}
