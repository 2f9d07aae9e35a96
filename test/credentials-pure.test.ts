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

test('README "Environment variables" lists exactly the credential tables\' variables, as the tables word them', async () => {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { ROOT } = await import('./support/cli.js');
  const { credentialEnvRows, credentialEnvVars } = await import('../src/providers/credentials.js');
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Environment variables\n');
  assert.ok(start >= 0, 'README has the section');
  const section = readme.slice(start + 1, readme.indexOf('\n## ', start + 1));
  const vars = new Set(credentialEnvVars());
  const rowsNamingOne = section
    .split('\n')
    .filter((l) => l.startsWith('|') && [...l.matchAll(/`([A-Z][A-Z0-9_]+)/g)].some((m) => vars.has(m[1])));
  assert.deepEqual(rowsNamingOne, credentialEnvRows(), 'regenerate the rows from credentialEnvRows()');
  const listed = new Set(rowsNamingOne.flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])));
  assert.deepEqual([...listed].sort(), [...vars].sort());
});

test('the credential tables derive the per-type environment overrides and secret fields the code always used', async () => {
  const { ENV_OVERRIDES, S3_LOCATION_ENV } = await import('../src/profiles/resolve.js');
  const { SECRET_FIELDS } = await import('../src/profiles/types.js');
  assert.deepEqual(JSON.parse(JSON.stringify(ENV_OVERRIDES)), {
    sas: { token: ['AZURE_STORAGE_SAS_TOKEN'] },
    key: { accountKey: ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY'] },
    'connection-string': { connectionString: ['AZURE_STORAGE_CONNECTION_STRING'] },
    'service-principal': {
      tenantId: ['AZURE_TENANT_ID'],
      clientId: ['AZURE_CLIENT_ID'],
      clientSecret: ['AZURE_CLIENT_SECRET'],
      authorityHost: ['AZURE_AUTHORITY_HOST'],
    },
    'device-code': { tenantId: ['AZURE_TENANT_ID'], clientId: ['AZURE_CLIENT_ID'], authorityHost: ['AZURE_AUTHORITY_HOST'] },
    default: {},
    anonymous: {},
    keys: { accessKeyId: ['AWS_ACCESS_KEY_ID'], secretAccessKey: ['AWS_SECRET_ACCESS_KEY'], sessionToken: ['AWS_SESSION_TOKEN'] },
    chain: { awsProfile: ['AWS_PROFILE'] },
    'assume-role': { roleArn: ['ARCHIVE_ROLE_ARN'], externalId: ['ARCHIVE_EXTERNAL_ID'], awsProfile: ['AWS_PROFILE'] },
    hmac: { hmacAccessId: ['GCS_HMAC_ACCESS_ID'], hmacSecret: ['GCS_HMAC_SECRET'] },
    'service-account': {},
    'application-default': {},
  });
  assert.deepEqual(JSON.parse(JSON.stringify(S3_LOCATION_ENV)), {
    region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    endpoint: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
  });
  assert.deepEqual(SECRET_FIELDS, {
    sas: ['token'],
    key: ['accountKey'],
    'connection-string': ['connectionString'],
    'service-principal': ['clientSecret'],
    keys: ['secretAccessKey', 'sessionToken'],
    hmac: ['hmacSecret'],
  });
});

test('parseConnectionString (Azure side): account, endpoint, key and SAS from every spelling; broken ones are usage errors', async () => {
  const { parseConnectionString, connectionStringSecrets, maskConnectionString, AZURITE_KEY } = await import(
    '../src/providers/azure-connection-string.js'
  );
  const cases: Array<[string, object]> = [
    [
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn',
      { accountName: 'acct', accountKey: 'a2V5', blobEndpoint: 'https://acct.blob.core.chinacloudapi.cn', sas: undefined },
    ],
    [
      'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;SharedAccessSignature=sv=1&sig=abc',
      {
        accountName: 'devstoreaccount1',
        accountKey: undefined,
        blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1',
        sas: 'sv=1&sig=abc',
      },
    ],
    [
      'UseDevelopmentStorage=true',
      { accountName: 'devstoreaccount1', accountKey: AZURITE_KEY, blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1' },
    ],
    [
      ' accountname = acct ; accountkey = a2V5 ',
      { accountName: 'acct', accountKey: 'a2V5', blobEndpoint: 'https://acct.blob.core.windows.net', sas: undefined },
    ],
  ];
  for (const [cs, want] of cases) assert.deepEqual(parseConnectionString(cs), want, cs);
  assert.throws(
    () => parseConnectionString('AccountKey=a2V5'),
    (e: unknown) => e instanceof UsageError && e.message === 'AZURE_STORAGE_CONNECTION_STRING has neither AccountName nor BlobEndpoint',
  );
  assert.deepEqual(connectionStringSecrets('AccountName=a;AccountKey=c2VjcmV0a2V5;SharedAccessSignature=sv=1&sig=SIGNATURE'), [
    'c2VjcmV0a2V5',
    'SIGNATURE',
  ]);
  assert.equal(
    maskConnectionString('AccountName=a;AccountKey=c2VjcmV0a2V5;SharedAccessSignature=sv=1&sig=SIGNATURE'),
    'AccountName=a;AccountKey=c2Vj…****;SharedAccessSignature=sv=1&sig=REDACTED',
  );
});

test('target secrets registered for redaction come from the tables: key, SAS signature, connection-string parts, S3 secret and token', async () => {
  const { credentialSecrets } = await import('../src/providers/credentials.js');
  assert.deepEqual(credentialSecrets('sas', { token: 'sv=1&sig=SIG123' }), ['SIG123']);
  assert.deepEqual(credentialSecrets('key', { accountName: 'a', accountKey: 'KEY123' }), ['KEY123']);
  assert.deepEqual(credentialSecrets('service-principal', { tenantId: 't', clientId: 'c', clientSecret: 'CS123' }), ['CS123']);
  assert.deepEqual(credentialSecrets('keys', { accessKeyId: 'AK', secretAccessKey: 'SK123', sessionToken: 'TOK123' }), ['SK123', 'TOK123']);
  assert.deepEqual(credentialSecrets('assume-role', { roleArn: 'arn' }), []);
  assert.deepEqual(credentialSecrets('default', {}), []);
});

test('buildProfile through its Inputs seam: each credential type gathers its table fields (flags, environment, prompts)', async () => {
  const { buildProfile } = await import('../src/profiles/build.js');
  const asked: string[] = [];
  const inputs = (env: NodeJS.ProcessEnv, interactive = false, answers: Record<string, string> = {}) => ({
    env,
    interactive,
    readStdin: async () => 'c2VjcmV0LWZyb20tc3RkaW4=',
    readFile: async (p: string) => `token-from-${p}`,
    ask: async (q: string) => {
      asked.push(q);
      return answers[q] ?? '';
    },
    askSecret: async (q: string) => {
      asked.push(`secret:${q}`);
      return 'cHJvbXB0ZWQ=';
    },
    choose: async <T extends string>(_q: string, _c: readonly T[], def?: T) => def as T,
  });
  const sp = await buildProfile(
    'amp',
    'az://acct/amplitude',
    { auth: 'service-principal', clientId: 'C1', secretStdin: true },
    inputs({ AZURE_TENANT_ID: 'T-env', AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/' }),
  );
  assert.deepEqual(sp.profile.auth, {
    type: 'service-principal',
    tenantId: 'T-env',
    clientId: 'C1',
    clientSecret: 'c2VjcmV0LWZyb20tc3RkaW4=',
    authorityHost: 'https://login.microsoftonline.us',
  });
  assert.deepEqual(sp.notes, ['client secret read from stdin']);

  const keys = await buildProfile(
    'r2',
    's3://logs',
    { accessKeyId: 'AK', sessionTokenFile: 'tok.txt', storeSecret: false },
    inputs({ AWS_SECRET_ACCESS_KEY: 'SK-from-env' }),
  );
  assert.deepEqual(keys.profile.auth, { type: 'keys', accessKeyId: 'AK' }, '--no-store-secret keeps secrets (and the session token) out');
  assert.deepEqual(keys.notes, ['secret access key taken from AWS_SECRET_ACCESS_KEY']);

  const role = await buildProfile(
    'lz',
    's3://arch',
    { roleArn: 'arn:aws:iam::123456789012:role/logzio', sessionName: 's1' },
    inputs({ AWS_PROFILE: 'someone', ARCHIVE_EXTERNAL_ID: 'X' }),
  );
  assert.deepEqual(role.profile.auth, {
    type: 'assume-role',
    roleArn: 'arn:aws:iam::123456789012:role/logzio',
    externalId: 'X',
    sessionName: 's1',
  });

  asked.length = 0;
  const dc = await buildProfile(
    'guest',
    'az://vespaarchive/acme',
    { auth: 'device-code' },
    inputs({}, true, { 'tenant id of the directory that invited you (optional)': 'T-vespa' }),
  );
  assert.deepEqual(asked, ['tenant id of the directory that invited you (optional)']);
  assert.deepEqual(dc.profile.auth, { type: 'device-code', tenantId: 'T-vespa' });

  await assert.rejects(
    buildProfile('k', 'az://acct/logs', { auth: 'key' }, inputs({})),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === 'no account key given' &&
      e.hint ===
        'pipe it in with --secret-stdin, use --secret-file FILE, set AZURE_STORAGE_KEY or AZURE_STORAGE_ACCESS_KEY; or save the profile with --no-store-secret and provide AZURE_STORAGE_KEY at use time',
  );
  await assert.rejects(
    buildProfile('k', 'az://acct/logs', { auth: 'key' }, inputs({ AZURE_STORAGE_KEY: 'not base64!' })),
    (e: unknown) => e instanceof UsageError && e.message === 'the account key is not base64',
  );
  await assert.rejects(
    buildProfile('x', 's3://bucket', { auth: 'assume-role', roleArn: 'nope' }, inputs({})),
    (e: unknown) => e instanceof UsageError && e.message === '--role-arn: "nope" is not an IAM role ARN',
  );
});
