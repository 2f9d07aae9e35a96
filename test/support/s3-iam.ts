/**
 * A loopback "IAM + STS" in front of s3rver, because s3rver checks only the access key id and
 * never the signature: this proxy verifies every SigV4 signature against the secrets it knows,
 * enforces a per-key allow-list of S3 actions (so AccessDenied can be shown), checks session
 * tokens, and answers STS AssumeRole (checking the role ARN and external id) by minting temporary
 * keys. Requests that pass are forwarded to s3rver under its own root key.
 *
 * What it does not model: bucket policies, conditions, request expiry/clock skew windows,
 * chunked (aws-chunked) payload signatures. Presigned URLs (query-string SigV4, as the CLI's
 * object reads use) are verified the same way, with their expiry.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export type S3Action = 's3:ListBucket' | 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:ListAllMyBuckets';
export const ALL_ACTIONS: S3Action[] = ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListAllMyBuckets'];

export interface IamKey {
  secret: string;
  sessionToken?: string;
  allow: S3Action[];
}

export interface RoleSpec {
  arn: string;
  externalId?: string;
  allow: S3Action[];
}

export interface S3Iam {
  endpoint: string;
  keys: Map<string, IamKey>;
  roles: RoleSpec[];
  /** AssumeRole calls seen: role ARN, external id, and the caller's access key id. */
  assumed: Array<{ roleArn: string; externalId?: string; caller: string }>;
  /** Every request's access key id and verdict. */
  log: Array<{ keyId: string; action: string; verdict: string }>;
  stop(): Promise<void>;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();

function xmlError(res: ServerResponse, status: number, code: string, message: string, sts = false): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    sts
      ? `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>x</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>x</RequestId></Error>`,
  );
}

interface Parsed {
  keyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** Presigned (query-string) authentication: X-Amz-* parameters instead of an Authorization header. */
  query?: { amzDate: string; expires: number; token?: string };
}

function parseAuth(h: string | undefined): Parsed | undefined {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/.exec(
      h ?? '',
    );
  if (!m) return undefined;
  return { keyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** Presigned URLs (as S3 accepts them): the same SigV4 fields in the query, payload UNSIGNED-PAYLOAD. */
function parseQueryAuth(url: string | undefined): Parsed | undefined {
  const q = new URLSearchParams((url ?? '').split('?')[1] ?? '');
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return undefined;
  const m = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(q.get('X-Amz-Credential') ?? '');
  if (!m) return undefined;
  return {
    keyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: (q.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
    signature: q.get('X-Amz-Signature') ?? '',
    query: {
      amzDate: q.get('X-Amz-Date') ?? '',
      expires: Number(q.get('X-Amz-Expires') ?? 0),
      token: q.get('X-Amz-Security-Token') ?? undefined,
    },
  };
}

function amzTime(s: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function canonicalQuery(raw: string): string {
  if (!raw) return '';
  return raw
    .split('&')
    .filter(Boolean)
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i), p.slice(i + 1)] as [string, string];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function expectedSignature(req: IncomingMessage, body: Buffer, a: Parsed, secret: string): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  let query = q < 0 ? '' : url.slice(q + 1);
  if (a.query)
    query = query
      .split('&')
      .filter((p) => !p.startsWith('X-Amz-Signature='))
      .join('&');
  const headers = a.signedHeaders.map((n) => {
    const v = req.headers[n];
    return `${n}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const payload = a.query ? 'UNSIGNED-PAYLOAD' : ((req.headers['x-amz-content-sha256'] as string | undefined) ?? sha256(body));
  const canonical = [req.method, path, canonicalQuery(query), headers.join(''), a.signedHeaders.join(';'), payload].join('\n');
  const amzDate = a.query ? a.query.amzDate : (req.headers['x-amz-date'] as string);
  const scope = `${a.date}/${a.region}/${a.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kDate = hmac(`AWS4${secret}`, a.date);
  const kSigning = hmac(hmac(hmac(kDate, a.region), a.service), 'aws4_request');
  return createHmac('sha256', kSigning).update(toSign).digest('hex');
}

function actionOf(method: string, path: string, query: string): S3Action {
  const segs = path.split('/').filter(Boolean);
  if (segs.length === 0) return 's3:ListAllMyBuckets';
  if (segs.length === 1 && (method === 'GET' || method === 'HEAD') && !/(^|&)(location|acl|policy)/.test(query)) return 's3:ListBucket';
  if (method === 'PUT' || method === 'POST') return 's3:PutObject';
  if (method === 'DELETE') return 's3:DeleteObject';
  return 's3:GetObject';
}

export async function startS3Iam(upstream: string, upstreamKeyId = 'S3RVER'): Promise<S3Iam> {
  const up = new URL(upstream);
  const state: S3Iam = { endpoint: '', keys: new Map(), roles: [], assumed: [], log: [], stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const a = parseAuth(req.headers.authorization) ?? parseQueryAuth(req.url);
      if (!a) return xmlError(res, 403, 'AccessDenied', 'Anonymous access is not allowed');
      if (a.query && !(amzTime(a.query.amzDate) + a.query.expires * 1000 > Date.now()))
        return xmlError(res, 403, 'AccessDenied', 'Request has expired');
      const key = state.keys.get(a.keyId);
      const isSts = req.method === 'POST' && a.service === 'sts';
      if (!key) {
        state.log.push({ keyId: a.keyId, action: isSts ? 'sts:AssumeRole' : '?', verdict: 'InvalidAccessKeyId' });
        return isSts
          ? xmlError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.', true)
          : xmlError(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
      }
      if (expectedSignature(req, body, a, key.secret) !== a.signature) {
        state.log.push({ keyId: a.keyId, action: isSts ? 'sts:AssumeRole' : '?', verdict: 'SignatureDoesNotMatch' });
        return xmlError(
          res,
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
          isSts,
        );
      }
      if (key.sessionToken && (req.headers['x-amz-security-token'] ?? a.query?.token) !== key.sessionToken) {
        state.log.push({ keyId: a.keyId, action: '?', verdict: 'InvalidToken' });
        return xmlError(res, 400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.', isSts);
      }
      if (isSts) {
        const form = new URLSearchParams(body.toString());
        if (form.get('Action') !== 'AssumeRole') return xmlError(res, 400, 'InvalidAction', `unsupported ${form.get('Action')}`, true);
        const arn = form.get('RoleArn') ?? '';
        const ext = form.get('ExternalId') ?? undefined;
        state.assumed.push({ roleArn: arn, externalId: ext, caller: a.keyId });
        const role = state.roles.find((r) => r.arn === arn);
        if (!role || role.externalId !== ext) {
          state.log.push({ keyId: a.keyId, action: 'sts:AssumeRole', verdict: 'AccessDenied' });
          return xmlError(
            res,
            403,
            'AccessDenied',
            `User: ${a.keyId} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
            true,
          );
        }
        const id = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
        const secret = randomBytes(20).toString('base64');
        const token = randomBytes(48).toString('base64');
        state.keys.set(id, { secret, sessionToken: token, allow: role.allow });
        state.log.push({ keyId: a.keyId, action: 'sts:AssumeRole', verdict: 'ok' });
        res.writeHead(200, { 'content-type': 'text/xml' });
        return res.end(
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROATEST:${form.get('RoleSessionName')}</AssumedRoleId><Arn>${arn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${form.get('RoleSessionName')}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      }
      let url = req.url ?? '/';
      const qi = url.indexOf('?');
      const action = actionOf(req.method ?? 'GET', qi < 0 ? url : url.slice(0, qi), qi < 0 ? '' : url.slice(qi + 1));
      if (!key.allow.includes(action)) {
        state.log.push({ keyId: a.keyId, action, verdict: 'AccessDenied' });
        if (req.method === 'HEAD') {
          res.writeHead(403);
          return res.end();
        }
        return xmlError(res, 403, 'AccessDenied', 'Access Denied');
      }
      state.log.push({ keyId: a.keyId, action, verdict: 'ok' });
      // Forward under s3rver's own key (it checks only the id, not the signature).
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: up.host };
      if (a.query) {
        url = url
          .replace(`X-Amz-Credential=${encodeURIComponent(`${a.keyId}/`)}`, `X-Amz-Credential=${encodeURIComponent(`${upstreamKeyId}/`)}`)
          .replace(/&?X-Amz-Security-Token=[^&]*/, '');
      } else
        headers.authorization = (req.headers.authorization as string).replace(`Credential=${a.keyId}/`, `Credential=${upstreamKeyId}/`);
      delete headers['x-amz-security-token'];
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: url, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
