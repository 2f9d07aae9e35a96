/**
 * Vespa Cloud on AWS: requester pays, a dotted bucket shared by tenants, a tenant that may list only
 * its own prefix. Vespa's AWS archive guide: "The `--request-payer=requester` parameter is
 * mandatory"; without `x-amz-request-payer: requester` S3 denies every request to such a bucket.
 *
 * The chain: CLI → recording proxy (test/support/recording-proxy.ts) → SigV4/IAM proxy
 * (test/support/s3-iam.ts, verifies every signature, plays STS) → s3rver. s3rver ignores the
 * header and has no bucket policies: the recording proxy records every request's headers and the
 * headers its signature covers, and answers as the Vespa bucket would (403 AccessDenied without
 * the header, or outside the tenant's prefix); the IAM proxy proves the signature covers the
 * header's real value. So each test shows the header on every request — listings (lean SigV4 and
 * SDK-presigned), HEAD, GET, ranged parts, retries, resumed parts, validate's probes — signed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startS3rver, type S3Emulator } from './support/emulators.js';
import { seedS3 } from './support/seed.js';
import { startS3Iam, ALL_ACTIONS, type S3Iam } from './support/s3-iam.js';
import { startRecordingProxy, vespaBucketPolicy, type RecordedRequest, type RecordingProxy } from './support/recording-proxy.js';
import { runInProcess } from './support/io.js';
import { runCli } from './support/cli.js';
import { createS3Client } from '../src/providers/s3.js';
import { resolveTarget } from '../src/target.js';
import { emitStatement } from '../src/query/emit.js';
import type { Entry } from '../src/filter.js';

const MiB = 1 << 20;
const BUCKET = 'vespa-cloud-data-prod.aws-us-east-1c-9eb633';
const TENANT = 'vespa-team/';
const APP = `${TENANT}vespacloud-docsearch/default`;
const KEY = { id: 'AKIAVESPAREADER00001', secret: 'vespa/Reader+Secret0123456789abcdefABCD' };
const BASE = { id: 'AKIABASEFORVESPA0002', secret: 'base/Secret+Key0123456789abcdefABCDEF0' };
const ROLE = 'arn:aws:iam::123456789012:role/vespa-archive';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A Vespa JSON access log record (fields as in Vespa's JSONLogTestCase). */
const record = (t: number, uri: string) =>
  JSON.stringify({ ip: '152.200.54.243', time: t / 1000, duration: 0.122, responsesize: 9875, code: 200, method: 'GET', uri });
const accessLog = (hour: string, n: number) =>
  gzipSync(
    Array.from({ length: n }, (_, i) => record(Date.parse(`${hour}:00:00Z`) + i * 1000, `/search/?q=${i}`))
      .map((l) => `${l}\n`)
      .join(''),
  );

const LOGS = {
  a: `${APP}/h2946a/logs/access/JsonAccessLog.default.20261130230000.gz`,
  b: `${APP}/h2946a/logs/access/JsonAccessLog.default.20261201000000.gz`,
};
const DUMP = `${APP}/h2946a/service-dump/default-container.0-1764543600000/jvm-heap-dump.bin.zst`;
const DUMP_BODY = randomBytes(5 * MiB + 12345);

/** Every request carried `x-amz-request-payer: requester` and signed it; the IAM proxy accepted every signature. */
function assertSigned(reqs: RecordedRequest[], what: string): void {
  assert.ok(reqs.length > 0, `${what}: no request reached the bucket`);
  for (const r of reqs) {
    const where = `${what}: ${r.method} ${r.path} (${r.range ?? 'whole'})`;
    assert.equal(r.headers['x-amz-request-payer'], 'requester', `${where}: no x-amz-request-payer header`);
    assert.ok(r.signedHeaders.includes('x-amz-request-payer'), `${where}: x-amz-request-payer not signed (${r.signedHeaders.join(';')})`);
  }
}

describe('requester pays, end to end (s3rver behind a recording proxy and a SigV4-checking IAM proxy)', () => {
  let s3: S3Emulator;
  let iam: S3Iam;
  let proxy: RecordingProxy;
  let tmp: string;
  let env: Record<string, string>;

  before(async () => {
    s3 = await startS3rver();
    await seedS3(s3, BUCKET, [
      { key: LOGS.a, body: accessLog('2026-11-30T23', 40) },
      { key: LOGS.b, body: accessLog('2026-12-01T00', 25) },
      { key: DUMP, body: DUMP_BODY },
      // Another tenant's data: this role may not see it.
      { key: 'other-tenant/app/default/h1a/logs/access/JsonAccessLog.default.20261130230000.gz', body: accessLog('2026-11-30T23', 3) },
    ]);
    iam = await startS3Iam(s3.endpoint);
    iam.keys.set(KEY.id, { secret: KEY.secret, allow: ALL_ACTIONS });
    iam.keys.set(BASE.id, { secret: BASE.secret, allow: [] });
    iam.roles.push({ arn: ROLE, allow: ALL_ACTIONS });
    proxy = await startRecordingProxy(iam.endpoint);
    proxy.setPolicy(vespaBucketPolicy(TENANT));
    tmp = mkdtempSync(join(tmpdir(), 'archive-payer-'));
    env = { AWS_ACCESS_KEY_ID: KEY.id, AWS_SECRET_ACCESS_KEY: KEY.secret, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: proxy.url };
  });
  after(async () => {
    await proxy?.close();
    await iam?.stop();
    await s3?.stop();
  });

  const loc = (p = TENANT) => `s3://${BUCKET}/${p}`;
  const fresh = () => {
    proxy.clear();
    return iam.log.length;
  };
  const noBadSignature = (from: number) =>
    assert.deepEqual(
      iam.log.slice(from).filter((l) => l.verdict !== 'ok'),
      [],
      'the IAM proxy rejected a signature',
    );

  test('without --request-payer every request is denied: exit 3, the hint names --request-payer requester', async () => {
    fresh();
    const r = await runInProcess(['list', loc()], { env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^archive: list s3:\/\/vespa-cloud-data-prod\.aws-us-east-1c-9eb633: permission denied \(AccessDenied\)$/m);
    assert.match(r.stderr, /^hint: Vespa Cloud's AWS archive buckets are requester pays: add --request-payer requester/m);
    assert.ok(proxy.requests.every((q) => q.headers['x-amz-request-payer'] === undefined));
    const v = await runInProcess(['validate', loc(), '--no-write'], { env });
    assert.equal(v.code, 3, v.stderr);
    assert.match(v.stdout, /list\s+✗\s+AccessDenied\s+Vespa Cloud's AWS archive buckets are requester pays: add --request-payer requester/);
  });

  test('list (lean SigV4 path): the header signed on every page; a pruned --since listing too', async () => {
    const from = fresh();
    // One key per page, so the listing takes several pages (ARCHIVE_LIST_CHUNK is read from the process).
    process.env.ARCHIVE_LIST_CHUNK = '1';
    const r = await runInProcess(['list', loc(), '--request-payer', 'requester', '--ndjson'], { env }).finally(
      () => delete process.env.ARCHIVE_LIST_CHUNK,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { key: string }).key),
      [DUMP, LOGS.a, LOGS.b].sort(),
    );
    assert.ok(proxy.requests.length >= 3, 'one key per page: several pages');
    assert.ok(proxy.requests.every((q) => q.op === 'list' && q.signedBy === 'header'));
    assertSigned(proxy.requests, 'list');
    fresh();
    const w = await runInProcess(
      ['list', loc(), '--request-payer', 'requester', '--since', '2026-11-30T23:30:00Z', '--until', '2026-12-01T00:30:00Z', '--explain'],
      { env },
    );
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /^plan: list \S+JsonAccessLog\.default\.20261130 \S+JsonAccessLog\.default\.20261201 \(name stamps/m);
    assertSigned(proxy.requests, 'pruned list');
    noBadSignature(from);
  });

  test('pull: ranged parts, a retried part and, in a second run, the resumed parts all carry it signed', async () => {
    const dest = join(tmp, 'pull');
    const args = [
      'pull',
      loc(),
      dest,
      '--kind',
      'heapdump',
      '--request-payer',
      'requester',
      '--multipart-threshold',
      '2M',
      '--chunk-size',
      '1M',
    ];
    const from = fresh();
    // Run 1: the first attempt at part 1 is cut (retried), part 3 is refused for good.
    proxy.setPolicy((q, nth) => {
      const base = vespaBucketPolicy(TENANT)(q);
      if (base) return base;
      if (q.op === 'get' && q.range === `bytes=${1 * MiB}-${2 * MiB - 1}` && nth === 1) return 'reset';
      if (q.op === 'get' && q.range === `bytes=${3 * MiB}-${4 * MiB - 1}`) return { status: 403, code: 'AccessDenied', message: 'refused' };
      return undefined;
    });
    const first = await runInProcess(args, { env });
    proxy.setPolicy(vespaBucketPolicy(TENANT));
    assert.notEqual(first.code, 0, first.stderr);
    const file = join(dest, 'vespacloud-docsearch/default/h2946a/service-dump/default-container.0-1764543600000/jvm-heap-dump.bin.zst');
    assert.ok(existsSync(`${file}.archive-part`), 'the part file is kept for a resume');
    const gets1 = proxy.requests.filter((q) => q.op === 'get');
    const ranges1 = gets1.map((q) => q.range);
    assert.equal(ranges1.filter((x) => x === `bytes=${1 * MiB}-${2 * MiB - 1}`).length >= 2, true, `part 1 retried: ${ranges1.join(' ')}`);
    assert.ok(
      ranges1.every((x) => x?.startsWith('bytes=')),
      'every GET of a big object is ranged',
    );
    assertSigned(proxy.requests, 'pull, first run');

    fresh();
    const again = await runInProcess([...args, '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as { files: Array<{ key: string; resumedBytes: number; sha256: string }> };
    const f = report.files.find((x) => x.key === DUMP)!;
    assert.ok(f.resumedBytes >= 4 * MiB, `resumed ${f.resumedBytes}`);
    assert.equal(sha(readFileSync(file)), sha(DUMP_BODY));
    const ranges2 = proxy.requests.filter((q) => q.op === 'get').map((q) => q.range);
    assert.deepEqual(ranges2, [`bytes=${3 * MiB}-${4 * MiB - 1}`], 'only the missing part is fetched again');
    assertSigned(proxy.requests, 'pull, resumed');
    noBadSignature(from);
  });

  test('cat (a prefix, and an exact key) and query', async () => {
    const from = fresh();
    const c = await runInProcess(['cat', loc(), '--kind', 'access', '--request-payer', 'requester'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim().split('\n').length, 65);
    const one = await runInProcess(['cat', loc(LOGS.b), '--request-payer', 'requester'], { env });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout.trim().split('\n').length, 25);
    const q = await runInProcess(
      ['query', loc(), '--kind', 'access', '--request-payer', 'requester', '--csv', 'SELECT _host, count(*) AS n FROM logs GROUP BY ALL'],
      { env },
    );
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout, '_host,n\nh2946a,65\n');
    assertSigned(proxy.requests, 'cat and query');
    noBadSignature(from);
  });

  test('validate: every probe (list, read, write, delete, marker HEAD) carries it; at the bucket root the tenant may not list', async () => {
    const from = fresh();
    const rel = LOGS.a.slice(TENANT.length);
    const v = await runInProcess(['validate', loc(), '--request-payer', 'requester', '--marker', rel, '--json'], { env });
    assert.equal(v.code, 0, v.stderr + v.stdout);
    const probes = (JSON.parse(v.stdout) as { probes: Array<{ name: string; status: string }> }).probes;
    assert.deepEqual(
      probes.map((p) => `${p.name}:${p.status}`),
      ['list:ok', 'read:ok', 'write:ok', 'delete:ok', `marker:ok`],
    );
    for (const op of ['list', 'get', 'put', 'delete', 'head'] as const)
      assert.ok(
        proxy.requests.some((q) => q.op === op),
        op,
      );
    assertSigned(proxy.requests, 'validate');
    noBadSignature(from);
    // The bucket root is another matter: a tenant lists only its own prefix.
    const root = await runInProcess(['validate', loc(''), '--request-payer', 'requester', '--no-write'], { env });
    assert.equal(root.code, 3, root.stdout);
    assert.match(root.stdout, /list\s+✗\s+AccessDenied/);
  });

  test('through a profile (assume-role: SDK-presigned listings and reads): stored, shown, and on every request', async () => {
    const cfg = mkdtempSync(join(tmp, 'cfg-'));
    const penv = {
      ARCHIVE_CONFIG_DIR: cfg,
      AWS_ENDPOINT_URL_STS: iam.endpoint,
      AWS_ACCESS_KEY_ID: BASE.id,
      AWS_SECRET_ACCESS_KEY: BASE.secret,
    };
    const add = await runInProcess(
      [
        'profile',
        'add',
        'vespa-aws',
        loc(),
        '--auth',
        'assume-role',
        '--role-arn',
        ROLE,
        '--request-payer',
        'requester',
        '--endpoint',
        proxy.url,
        '--region',
        'us-east-1',
        '--layout',
        'vespa',
      ],
      { env: penv },
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      /^saved profile vespa-aws: s3:\/\/vespa-cloud-data-prod\.aws-us-east-1c-9eb633\/vespa-team\/ \(assume-role, requester pays\)/m,
    );
    const show = await runInProcess(['profile', 'show', 'vespa-aws'], { env: penv });
    assert.match(show.stdout, /^request payer: +requester$/m);
    const showJson = JSON.parse((await runInProcess(['profile', 'show', 'vespa-aws', '--json'], { env: penv })).stdout) as {
      requestPayer: string;
    };
    assert.equal(showJson.requestPayer, 'requester');

    const from = fresh();
    const l = await runInProcess(['list', 'vespa-aws:', '--kind', 'access', '--ndjson'], { env: penv });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(l.stdout.trim().split('\n').length, 2);
    assert.ok(
      proxy.requests.every((q) => q.signedBy === 'query'),
      'presigned by the SDK',
    );
    const p = await runInProcess(
      ['pull', 'vespa-aws:', join(tmp, 'profile-pull'), '--kind', 'heapdump', '--multipart-threshold', '2M', '--chunk-size', '1M'],
      {
        env: penv,
      },
    );
    assert.equal(p.code, 0, p.stderr);
    const v = await runInProcess(['validate', 'vespa-aws:', '--no-write'], { env: penv });
    assert.equal(v.code, 0, v.stderr + v.stdout);
    assertSigned(proxy.requests, 'profile');
    assert.ok(
      proxy.requests.some((q) => q.range),
      'ranged parts were presigned with the header too',
    );
    assert.ok(
      iam.assumed.some((a) => a.roleArn === ROLE),
      'the role was assumed',
    );
    noBadSignature(from);
  });

  test('the SDK read path (ARCHIVE_READ_PATH=sdk, spawned): GETs signed in the Authorization header with it', async () => {
    fresh();
    const r = await runCli(['pull', loc(), join(tmp, 'sdk-pull'), '--kind', 'access', '--request-payer', 'requester'], {
      env: { ...env, ARCHIVE_READ_PATH: 'sdk' },
    });
    assert.equal(r.code, 0, r.stderr);
    const gets = proxy.requests.filter((q) => q.op === 'get');
    assert.equal(gets.length, 2);
    assert.ok(gets.every((q) => q.signedBy === 'header'));
    assertSigned(proxy.requests, 'SDK reads');
  });
});

describe('--request-payer: bad input', () => {
  test('an unknown value is a usage error (2); on an Azure location too, naming why', async () => {
    const bad = await runInProcess(['list', 's3://bk/p/', '--request-payer', 'owner']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--request-payer.*'owner' is invalid\. Allowed choices are requester/);
    const az = await runInProcess(['list', 'az://acmelogs/logs/', '--request-payer', 'requester']);
    assert.equal(az.code, 2, az.stderr);
    assert.equal(
      az.stderr,
      'archive: --request-payer is for S3 locations: Azure Blob Storage has no requester pays\nhint: drop --request-payer for az:// and blob URLs (the storage account owner pays for Azure requests)\n',
    );
  });

  test('profile add: an Azure location with --request-payer is refused and nothing is written', async () => {
    const cfg = mkdtempSync(join(tmpdir(), 'archive-payer-cfg-'));
    const r = await runInProcess(['profile', 'add', 'az', 'az://acmelogs/logs', '--auth', 'default', '--request-payer', 'requester'], {
      env: { ARCHIVE_CONFIG_DIR: cfg },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^archive: --request-payer is for S3 profiles: Azure Blob Storage has no requester pays$/m);
    assert.ok(!existsSync(join(cfg, 'profiles.json')), 'no profile file written');
    const bad = await runInProcess(['profile', 'add', 's3p', 's3://bk', '--auth', 'chain', '--request-payer', 'me'], {
      env: { ARCHIVE_CONFIG_DIR: cfg },
    });
    assert.equal(bad.code, 2);
    assert.ok(!existsSync(join(cfg, 'profiles.json')));
  });

  test('a profile file edited to an unknown value is a usage error naming the profile', async () => {
    const cfg = mkdtempSync(join(tmpdir(), 'archive-payer-cfg-'));
    const add = await runInProcess(['profile', 'add', 's3p', 's3://bk/p', '--auth', 'chain', '--request-payer', 'requester'], {
      env: { ARCHIVE_CONFIG_DIR: cfg },
    });
    assert.equal(add.code, 0, add.stderr);
    const file = join(cfg, 'profiles.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"requestPayer": "requester"', '"requestPayer": "bucket-owner"'), {
      mode: 0o600,
    });
    const r = await runInProcess(['list', 's3p:'], { env: { ARCHIVE_CONFIG_DIR: cfg } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^archive: profile "s3p": requestPayer: unknown value "bucket-owner"$/m);
  });
});

describe("Vespa's dotted buckets and the engines' statements (no network)", () => {
  test('a dotted bucket on AWS is addressed path-style (virtual-hosted TLS fails on the dot); the header stays a signed header', async () => {
    const target = await resolveTarget(
      `s3://${BUCKET}/${TENANT}`,
      { requestPayer: 'requester' },
      { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' },
    );
    assert.equal(target.provider, 's3');
    if (target.provider !== 's3') return;
    assert.equal(target.region, 'us-east-1', "the region is read from the bucket's zone (aws-us-east-1c)");
    const client = await createS3Client({ ...target, auth: { type: 'keys', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    const list = new URL(
      await getSignedUrl(client, new ListObjectsV2Command({ Bucket: BUCKET, Prefix: TENANT }), {
        unhoistableHeaders: new Set(['x-amz-request-payer']),
      }),
    );
    assert.equal(list.host, 's3.us-east-1.amazonaws.com');
    assert.equal(list.pathname, `/${BUCKET}/`);
    assert.equal(list.searchParams.get('X-Amz-SignedHeaders'), 'host;x-amz-request-payer');
    const get = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: LOGS.a })));
    assert.equal(get.host, 's3.us-east-1.amazonaws.com');
    // Left to the presigner's defaults the header becomes a signed query parameter instead.
    assert.equal(get.searchParams.get('x-amz-request-payer'), 'requester');
  });

  test('the region of a Vespa bucket comes from its zone unless one is given; other buckets keep the default', async () => {
    const r = async (bucket: string, opts = {}, e: Record<string, string> = {}) => {
      const t = await resolveTarget(`s3://${bucket}/x/`, opts, e);
      return t.provider === 's3' ? t.region : undefined;
    };
    assert.equal(await r('vespa-cloud-data-prod.aws-eu-west-1a-8dc1b5'), 'eu-west-1');
    assert.equal(await r('vespa-cloud-data-prod.aws-ap-northeast-1c-123abc'), 'ap-northeast-1');
    assert.equal(await r('vespa-cloud-data-prod.aws-eu-west-1a-8dc1b5', { region: 'us-west-2' }), 'us-west-2');
    assert.equal(await r('vespa-cloud-data-prod.aws-eu-west-1a-8dc1b5', {}, { AWS_REGION: 'eu-north-1' }), 'eu-north-1');
    assert.equal(await r('my-logzio-archive'), undefined);
  });

  const entry = (key: string): Entry =>
    ({
      key,
      size: 10,
      lastModified: new Date('2026-12-01T00:00:00Z'),
      time: new Date('2026-12-01T00:00:00Z'),
      timeSource: 'key',
      facts: { layout: 'vespa', kind: 'access', host: 'h2946a' },
    }) as Entry;

  test('--emit duckdb sets REQUESTER_PAYS (and path-style for the dotted bucket), spark the s3a setting, clickhouse the header', async () => {
    const target = await resolveTarget(`s3://${BUCKET}/${TENANT}`, { requestPayer: 'requester' }, {});
    const e = [entry(LOGS.a)];
    const duck = emitStatement('duckdb', target, e, { withSas: false });
    assert.match(
      duck,
      /^CREATE OR REPLACE SECRET archive_s3 \(TYPE s3, PROVIDER credential_chain, URL_COMPATIBILITY_MODE true, REGION 'us-east-1', URL_STYLE 'path', REQUESTER_PAYS true\);$/m,
    );
    assert.match(duck, /^SET s3_requester_pays = true;/m);
    const spark = emitStatement('spark', target, e, { withSas: false });
    assert.match(spark, /^spark\.sparkContext\._jsc\.hadoopConfiguration\(\)\.set\("fs\.s3a\.requester\.pays\.enabled", "true"\)$/m);
    assert.match(spark, /^spark\.sparkContext\._jsc\.hadoopConfiguration\(\)\.set\("fs\.s3a\.path\.style\.access", "true"\)$/m);
    const ch = emitStatement('clickhouse', target, e, { withSas: false });
    assert.match(
      ch,
      /s3\('https:\/\/s3\.us-east-1\.amazonaws\.com\/vespa-cloud-data-prod\.aws-us-east-1c-9eb633\/vespa-team\/vespacloud-docsearch\/default\/h2946a\/logs\/access\/\*\*', 'JSONEachRow', headers\('x-amz-request-payer' = 'requester'\)\)/,
    );
    assert.match(ch, /^-- requester pays: the bucket answers AccessDenied unless every request carries x-amz-request-payer: requester/m);
    // ClickHouse (chdb, embedded) parses the statement as printed, headers(…) argument and all.
    const { query } = await import('chdb');
    const body = ch
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n')
      .replace(/;\s*$/, '');
    assert.match(query(`EXPLAIN AST ${body}`, 'TSV'), /Function headers/);
    // Without requester pays nothing of it is printed.
    const plain = await resolveTarget('s3://my-logzio-archive/', {}, {});
    for (const engine of ['duckdb', 'spark', 'clickhouse'] as const)
      assert.doesNotMatch(emitStatement(engine, plain, e, { withSas: false }), /request(er)?[._ -]?pay/i, engine);
  });
});
