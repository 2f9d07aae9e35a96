/**
 * The pure parts of profiles and SAS handling, checked directly: precedence of flags, environment
 * and stored values; SAS planning rules (presets, user-delegation limit, protocol); SAS parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileTarget, effectiveAuth } from '../src/profiles/resolve.js';
import { planSas } from '../src/sas/create.js';
import { parseSas, normalizePermissions } from '../src/sas/parse.js';
import { inspectSas } from '../src/sas/inspect.js';
import type { AzureProfile, S3Profile } from '../src/profiles/types.js';
import type { AzureTarget } from '../src/target.js';
import { UsageError } from '../src/errors.js';

const azure: AzureProfile = {
  provider: 'azure',
  account: 'acct',
  serviceUrl: 'https://acct.blob.core.windows.net',
  container: 'logs',
  prefix: 'base/',
  auth: { type: 'key', accountKey: 'c3RvcmVk' },
  layout: 'vespa',
};

test('azure profile: prefix joined, layout carried, env overrides its own type only, --sas replaces', () => {
  const t = profileTarget('p', azure, 'app/x', {}, {});
  assert.equal(t.provider, 'azure');
  assert.equal(t.prefix, 'base/app/x');
  assert.equal(t.layout, 'vespa');
  assert.deepEqual((t as AzureTarget).auth, { type: 'key', accountName: 'acct', accountKey: 'c3RvcmVk' });
  const envKey = profileTarget('p', azure, '', {}, { AZURE_STORAGE_KEY: 'ZW52' }) as AzureTarget;
  assert.deepEqual(envKey.auth, { type: 'key', accountName: 'acct', accountKey: 'ZW52' });
  const ignored = profileTarget('p', azure, '', {}, { AZURE_CLIENT_SECRET: 'x', AZURE_STORAGE_SAS_TOKEN: 'sv=1&sig=2' }) as AzureTarget;
  assert.equal(ignored.auth.type, 'key');
  const flag = profileTarget('p', azure, '', { sas: '?sv=1&sig=2' }, { AZURE_STORAGE_KEY: 'ZW52' }) as AzureTarget;
  assert.deepEqual(flag.auth, { type: 'sas', token: 'sv=1&sig=2' });
  assert.deepEqual(effectiveAuth(azure, { AZURE_STORAGE_KEY: 'ZW52' }).overridden, { accountKey: 'AZURE_STORAGE_KEY' });
});

test('container-less profile takes the container from the first segment', () => {
  const t = profileTarget('p', { ...azure, container: undefined, prefix: undefined }, 'other/a/b', {}, {}) as AzureTarget;
  assert.equal(t.container, 'other');
  assert.equal(t.prefix, 'a/b');
});

test('s3 profile: keys override as a pair; flags > env > stored for region/endpoint', () => {
  const s3: S3Profile = {
    provider: 's3',
    bucket: 'b',
    region: 'eu-west-1',
    endpoint: 'http://stored',
    auth: { type: 'keys', accessKeyId: 'AK', secretAccessKey: 'SK' },
  };
  const onlyId = profileTarget('p', s3, '', {}, { AWS_ACCESS_KEY_ID: 'OTHER' });
  assert.deepEqual(onlyId.provider === 's3' && onlyId.auth, {
    type: 'keys',
    accessKeyId: 'AK',
    secretAccessKey: 'SK',
    sessionToken: undefined,
  });
  const pair = profileTarget('p', s3, '', {}, { AWS_ACCESS_KEY_ID: 'A2', AWS_SECRET_ACCESS_KEY: 'S2', AWS_SESSION_TOKEN: 'T2' });
  assert.deepEqual(pair.provider === 's3' && pair.auth, { type: 'keys', accessKeyId: 'A2', secretAccessKey: 'S2', sessionToken: 'T2' });
  const loc = profileTarget('p', s3, '', {}, {});
  assert.ok(loc.provider === 's3');
  assert.equal(loc.region, 'eu-west-1');
  assert.equal(loc.endpoint, 'http://stored');
  assert.equal(loc.forcePathStyle, true);
  const env = profileTarget('p', s3, '', {}, { AWS_REGION: 'us-east-2', AWS_ENDPOINT_URL_S3: 'http://env' });
  assert.ok(env.provider === 's3' && env.region === 'us-east-2' && env.endpoint === 'http://env');
  const flags = profileTarget(
    'p',
    s3,
    '',
    { region: 'ap-south-1', endpoint: 'http://flag' },
    { AWS_REGION: 'us-east-2', AWS_ENDPOINT_URL_S3: 'http://env' },
  );
  assert.ok(flags.provider === 's3' && flags.region === 'ap-south-1' && flags.endpoint === 'http://flag');
  assert.throws(
    () => profileTarget('p', { ...s3, auth: { type: 'keys', accessKeyId: 'AK' } }, '', {}, {}),
    (e: unknown) => e instanceof UsageError && /no secret access key/.test(e.message),
  );
});

const keyTarget: AzureTarget = {
  provider: 'azure',
  account: 'acct',
  serviceUrl: 'https://acct.blob.core.windows.net',
  container: 'logs',
  prefix: 'http_requests',
  auth: { type: 'key', accountName: 'acct', accountKey: 'eA==' },
};
const now = new Date('2026-01-05T17:00:00.000Z');

test('sas plan: logpush preset is w, container scope, five calendar years and a day, https only', () => {
  const p = planSas(keyTarget, { for: 'logpush' }, now);
  assert.equal(p.permissions, 'w');
  assert.equal(p.signing, 'service');
  assert.equal(p.protocol, 'https');
  assert.equal(p.expiry.toISOString(), '2031-01-06T17:00:00.000Z');
  assert.equal(p.start.toISOString(), '2026-01-05T16:45:00.000Z');
  assert.equal(p.path, 'http_requests');
  assert.ok(p.notes.some((n) => /cannot be limited to a prefix/.test(n)));
  assert.throws(() => planSas(keyTarget, { for: 'logpush', expires: '4y' }, now), /at least 5 years/);
  assert.ok(planSas(keyTarget, { for: 'logpush', permissions: 'wd' }, now).notes.some((n) => /broader/.test(n)));
});

test('sas plan: user-delegation capped at 7 days; SAS cannot sign; letters normalised', () => {
  const sp: AzureTarget = { ...keyTarget, auth: { type: 'service-principal', tenantId: 't', clientId: 'c', clientSecret: 's' } };
  assert.equal(planSas(sp, { for: 'reader' }, now).signing, 'user-delegation');
  assert.throws(() => planSas(sp, { for: 'reader', expires: '8d' }, now), /at most 7 days/);
  assert.throws(
    () => planSas({ ...keyTarget, auth: { type: 'sas', token: 'x' } }, { permissions: 'r' }, now),
    /cannot create a SAS from a SAS/,
  );
  assert.equal(normalizePermissions('lwr'), 'rwl');
  assert.equal(
    planSas({ ...keyTarget, serviceUrl: 'http://127.0.0.1:1/devstoreaccount1' }, { permissions: 'r' }, now).protocol,
    'https,http',
  );
  assert.deepEqual(planSas(keyTarget, { permissions: 'r', ip: '10.0.0.1-10.0.0.9' }, now).ip, { start: '10.0.0.1', end: '10.0.0.9' });
});

test('sas parse + inspect: a token from sas-plan-like values round-trips; the signature is dropped', () => {
  const info = parseSas(
    'https://acct.blob.core.windows.net/logs?sv=2025-05-05&st=2026-01-05T16%3A45%3A00Z&se=2031-01-06T17%3A00%3A00Z&sr=c&sp=w&spr=https&sig=SECRETSIG',
  );
  assert.equal(info.kind, 'service');
  assert.equal(info.url?.account, 'acct');
  assert.equal(info.redacted.includes('SECRETSIG'), false);
  const r = inspectSas(info, { now, purpose: 'logpush' });
  assert.deepEqual(r.warnings, []);
  assert.equal(r.expired, false);
  const late = inspectSas(info, { now: new Date('2030-12-20T00:00:00Z') });
  assert.deepEqual(
    late.warnings.map((w) => w.code),
    ['expiring'],
  );
});

test('Retry-After from either SDK error shape: seconds, HTTP date, absent or junk', async () => {
  const { retryAfterMs } = await import('../src/providers/retry-after.js');
  const azure = (v?: string) => ({ response: { headers: { get: (n: string) => (n === 'retry-after' ? v : undefined) } } });
  const aws = (v?: string) => ({ $response: { headers: v === undefined ? {} : { 'retry-after': v } } });
  const now = Date.parse('2026-01-05T17:00:00Z');
  const cases: Array<[unknown, number | undefined]> = [
    [azure('2'), 2000],
    [aws('0'), 0],
    [aws(' 1.5 '), 1500],
    [azure('Mon, 05 Jan 2026 17:00:30 GMT'), 30_000],
    [aws('Mon, 05 Jan 2026 16:59:00 GMT'), 0],
    [azure(undefined), undefined],
    [aws('soon'), undefined],
    [aws('-3'), undefined],
    [new Error('no response'), undefined],
    [undefined, undefined],
  ];
  for (const [err, want] of cases) assert.equal(retryAfterMs(err, now), want, JSON.stringify(err));
});
