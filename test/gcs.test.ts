/**
 * Google Cloud Storage (gs://) on its XML API, which speaks S3's protocol for everything archive
 * does. No GCS emulator installs here, so:
 *  - HMAC keys: CLI → recording proxy → SigV4-checking IAM proxy (test/support/s3-iam.ts) → s3rver.
 *    The IAM proxy verifies every signature (region `auto`, service `s3`, as GCS interoperability
 *    signs); the recording proxy records every request's headers and plays GCS's requester-pays
 *    answer (400 UserProjectMissing) for a request without `x-goog-user-project`.
 *  - OAuth: the token endpoint and metadata server are test/support/gcs-stand-ins.ts, which verifies
 *    the service account's RS256 JWT with its public key; a bearer gate in front of s3rver accepts
 *    only tokens the stand-in issued.
 * What the stand-ins cannot show: Google's real IAM, GCS's own listing quirks and x-goog-hash
 * headers (s3rver sends none: stat's MD5 comes from the ETag there), real requester-pays billing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startS3rver, type S3Emulator } from './support/emulators.js';
import { seedS3 } from './support/seed.js';
import { startS3Iam, ALL_ACTIONS, type S3Iam } from './support/s3-iam.js';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from './support/recording-proxy.js';
import { startBearerGate, startGoogleStub, type BearerGate, type GoogleStub } from './support/gcs-stand-ins.js';
import { runInProcess } from './support/io.js';
import { runCli } from './support/cli.js';
import { formatLocation, parseLocation } from '../src/location.js';
import { resolveTarget } from '../src/target.js';
import { emitStatement } from '../src/query/emit.js';
import type { Entry } from '../src/filter.js';

const MiB = 1 << 20;
// A Vespa Cloud GCP zone's bucket (the GCP archive guide's form) and a tenant's prefix.
const BUCKET = 'vespa-cloud-data-prod.gcp-us-central1-f-73770f';
const TENANT = 'vespa-team/';
const APP = `${TENANT}docsearch/default`;
const PROJECT = 'my-project-123';
const HMAC = { id: 'GOOG1EXAMPLEHMACACCESSID0000000000000000000000000000000000', secret: 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ' };
/** An HMAC key of a principal that holds no role on the bucket. */
const NOBODY = { id: 'GOOG1ENOBODYHMACACCESSID000000000000000000000000000000000', secret: 'nobody+Secret/0123456789abcdefABCDEFGHIJ' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const record = (t: number, uri: string) => JSON.stringify({ time: t / 1000, code: 200, method: 'GET', uri });
// Hours either side of a month end's midnight: the window below crosses both.
const accessLog = (hour: string, n: number) =>
  gzipSync(
    Array.from({ length: n }, (_, i) => record(Date.parse(`${hour}:00:00Z`) + i * 1000, `/search/?q=${i}`))
      .map((l) => `${l}\n`)
      .join(''),
  );
const LOGS = {
  a: `${APP}/h1a/logs/access/JsonAccessLog.default.20261130230000.gz`,
  b: `${APP}/h1a/logs/access/JsonAccessLog.default.20261201000000.gz`,
};
const HOSTILE = `${APP}/h1a/logs/odd/q"uo\\te\tx.log`;
const DUMP = `${APP}/h1a/service-dump/c.0-1764543600000/jvm-heap-dump.bin.zst`;
const DUMP_BODY = randomBytes(3 * MiB + 777);

/** Every request carried the billed project, and under HMAC signed it with a GCS (`auto`/`s3`) scope. */
function assertProject(reqs: RecordedRequest[], what: string, signed: boolean): void {
  assert.ok(reqs.length > 0, `${what}: no request reached the bucket`);
  for (const r of reqs) {
    const where = `${what}: ${r.method} ${r.path} (${r.range ?? 'whole'})`;
    assert.equal(r.headers['x-goog-user-project'], PROJECT, `${where}: no x-goog-user-project`);
    if (signed) {
      assert.ok(r.signedHeaders.includes('x-goog-user-project'), `${where}: x-goog-user-project not signed`);
      assert.match(r.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=GOOG1EXAMPLE\w+\/\d{8}\/auto\/s3\/aws4_request,/, where);
    } else assert.match(r.headers.authorization ?? '', /^Bearer ya29\.stub-/, where);
  }
}

test('locations: gs:// and https://storage.googleapis.com/ name a bucket and prefix; bad names are usage errors', () => {
  assert.deepEqual(parseLocation(`gs://${BUCKET}/${TENANT}`), { provider: 'gcs', bucket: BUCKET, prefix: TENANT });
  assert.deepEqual(parseLocation(`https://storage.googleapis.com/${BUCKET}/a%20b/c`), { provider: 'gcs', bucket: BUCKET, prefix: 'a b/c' });
  assert.deepEqual(parseLocation('gs://'), { provider: 'gcs', bucket: '', prefix: '' });
  assert.equal(formatLocation(parseLocation(`gs://${BUCKET}/x/`)), `gs://${BUCKET}/x/`);
  assert.throws(() => parseLocation('gs://Bad_Bucket!/x'), /not a Cloud Storage bucket name/);
  assert.throws(() => parseLocation(`https://storage.googleapis.com/${BUCKET}/x?X-Goog-Signature=abc`), /no query string/);
});

test('target: --user-project only for gs://; HMAC from the environment, else Application Default Credentials', async () => {
  const t = await resolveTarget(
    `gs://${BUCKET}/p/`,
    { userProject: PROJECT },
    { GCS_HMAC_ACCESS_ID: HMAC.id, GCS_HMAC_SECRET: HMAC.secret },
  );
  assert.equal(t.provider, 'gcs');
  assert.deepEqual(t.provider === 'gcs' && [t.userProject, t.auth.type], [PROJECT, 'hmac']);
  // The secret is registered for redaction (the credential table's field names are the target's).
  const { redact } = await import('../src/redact.js');
  assert.ok(!redact(`x ${HMAC.secret} y`).includes(HMAC.secret));
  const adc = await resolveTarget(`gs://${BUCKET}/`, {}, { GOOGLE_CLOUD_QUOTA_PROJECT: PROJECT });
  assert.deepEqual(adc.provider === 'gcs' && [adc.userProject, adc.auth.type], [PROJECT, 'application-default']);
  await assert.rejects(resolveTarget('s3://some-bucket/', { userProject: PROJECT }, {}), /--user-project is for Cloud Storage/);
  await assert.rejects(resolveTarget(`gs://${BUCKET}/`, { requestPayer: 'requester' }, {}), /--request-payer is for S3 locations/);
  await assert.rejects(resolveTarget(`gs://${BUCKET}/`, { userProject: 'Not A Project' }, {}), /not a Google Cloud project id/);
});

test('--emit for gs://: DuckDB gs:// with a GCS secret, ClickHouse gcs() sending the user project, Spark gs:// with requester pays', async () => {
  const t = await resolveTarget(`gs://${BUCKET}/${TENANT}`, { userProject: PROJECT }, {});
  const entries = [
    { key: LOGS.a, size: 10, time: new Date('2026-11-30T23:00:00Z'), facts: { host: 'h1a', kind: 'access' } },
  ] as unknown as Entry[];
  const duck = emitStatement('duckdb', t, entries, { withSas: false });
  assert.match(duck, /CREATE OR REPLACE SECRET archive_gcs \(TYPE gcs, KEY_ID/);
  assert.ok(duck.includes(`'gs://${BUCKET}/${LOGS.a}'`), duck);
  const ch = emitStatement('clickhouse', t, entries, { withSas: false });
  assert.ok(
    ch.includes(
      `gcs('https://storage.googleapis.com/${BUCKET}/${APP}/h1a/logs/access/**', 'JSONEachRow', headers('x-goog-user-project' = '${PROJECT}'))`,
    ),
    ch,
  );
  const sp = emitStatement('spark', t, entries, { withSas: false });
  assert.ok(sp.includes(`"gs://${BUCKET}/${LOGS.a}"`) && sp.includes('fs.gs.requester.pays.project.id'), sp);
});

describe('gs:// with HMAC keys (s3rver behind a recording proxy and a SigV4-checking proxy)', () => {
  let s3: S3Emulator;
  let iam: S3Iam;
  let proxy: RecordingProxy;
  let tmp: string;
  let env: Record<string, string>;
  const loc = (p = TENANT) => `gs://${BUCKET}/${p}`;
  const cli = (args: string[]) => runInProcess([...args, '--endpoint', proxy.url], { env, now: new Date('2026-12-01T00:40:00Z') });
  const fresh = () => {
    proxy.clear();
    return iam.log.length;
  };
  const noBadSignature = (from: number) =>
    assert.deepEqual(
      iam.log.slice(from).filter((l) => l.verdict !== 'ok'),
      [],
    );

  before(async () => {
    s3 = await startS3rver();
    await seedS3(s3, BUCKET, [
      { key: LOGS.a, body: accessLog('2026-11-30T23', 40) },
      { key: LOGS.b, body: accessLog('2026-12-01T00', 25) },
      { key: HOSTILE, body: 'odd\n' },
      { key: DUMP, body: DUMP_BODY },
    ]);
    iam = await startS3Iam(s3.endpoint);
    iam.keys.set(HMAC.id, { secret: HMAC.secret, allow: ALL_ACTIONS });
    iam.keys.set(NOBODY.id, { secret: NOBODY.secret, allow: [] });
    proxy = await startRecordingProxy(iam.endpoint);
    // GCS on a requester-pays bucket: 400 UserProjectMissing unless the request names a project.
    proxy.setPolicy((r) =>
      r.headers['x-goog-user-project']
        ? undefined
        : { status: 400, code: 'UserProjectMissing', message: 'Bucket is a requester pays bucket but no user project provided.' },
    );
    tmp = mkdtempSync(join(tmpdir(), 'archive-gcs-'));
    env = { GCS_HMAC_ACCESS_ID: HMAC.id, GCS_HMAC_SECRET: HMAC.secret };
  });
  after(async () => {
    await proxy?.close();
    await iam?.stop();
    await s3?.stop();
  });

  test('without --user-project: exit 3, the hint names --user-project (Vespa on GCP)', async () => {
    fresh();
    const r = await cli(['list', loc()]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /gs:\/\/vespa-cloud-data-prod\.gcp-us-central1-f-73770f: the bucket is requester pays \(UserProjectMissing\)/);
    assert.match(r.stderr, /^hint: .*--user-project PROJECT/m);
    assert.ok(!r.stderr.includes(HMAC.secret));
    const v = await cli(['validate', loc(), '--no-write']);
    assert.equal(v.code, 3, v.stderr);
    assert.match(v.stdout, /list\s+✗\s+UserProjectMissing\s+the bucket is requester pays: add --user-project PROJECT/);
  });

  test('list: every page carries the project, signed; --ndjson keeps a hostile key exact; a window across month-end midnight', async () => {
    const from = fresh();
    process.env.ARCHIVE_LIST_CHUNK = '1';
    const r = await cli(['list', loc(), '--user-project', PROJECT, '--ndjson']).finally(() => delete process.env.ARCHIVE_LIST_CHUNK);
    assert.equal(r.code, 0, r.stderr);
    const keys = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { key: string }).key);
    assert.deepEqual(keys.sort(), [DUMP, HOSTILE, LOGS.a, LOGS.b].sort());
    assert.ok(proxy.requests.length >= 4, 'one key per page: several pages');
    assertProject(proxy.requests, 'list', true);
    const win = await cli(['list', loc(), '--user-project', PROJECT, '--kind', 'access', '--since', '2h', '--until', '30m', '--ndjson']);
    assert.equal(win.code, 0, win.stderr);
    assert.deepEqual(
      win.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { key: string }).key),
      [LOGS.a, LOGS.b],
    );
    assertProject(proxy.requests, 'list', true);
    noBadSignature(from);
  });

  test('pull (ranged parts, verified), cat and query: every request carries the project, signed', async () => {
    const from = fresh();
    const dest = join(tmp, 'pull');
    const p = await cli(['pull', loc(), dest, '--user-project', PROJECT, '--multipart-threshold', '1M', '--chunk-size', '1M', '--json']);
    assert.equal(p.code, 0, p.stderr);
    // Verified against the MD5 the listing's ETag carries (GCS's XML API gives a non-composite object's MD5 there, as s3rver does).
    const pulled = (JSON.parse(p.stdout) as { files: Array<{ key: string; verified: string }> }).files;
    assert.deepEqual(
      pulled.map((f) => f.verified),
      pulled.map(() => 'md5'),
    );
    assert.equal(sha(readFileSync(join(dest, DUMP.slice(TENANT.length)))), sha(DUMP_BODY));
    assert.ok(proxy.requests.filter((q) => q.op === 'get' && q.range).length >= 4, 'the big object came in ranged parts');
    const c = await cli(['cat', loc(), '--kind', 'access', '--user-project', PROJECT]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim().split('\n').length, 65);
    const q = await cli(['query', loc(), '--kind', 'access', '--user-project', PROJECT, '--csv', 'SELECT count(*) AS n FROM logs']);
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout, 'n\n65\n');
    assertProject(proxy.requests, 'pull, cat, query', true);
    noBadSignature(from);
  });

  test('containers gs://: the XML API bucket list (GET /), signed, with the project', async () => {
    const from = fresh();
    const r = await cli(['containers', 'gs://', '--user-project', PROJECT]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(BUCKET), r.stdout);
    assertProject(proxy.requests, 'containers', true);
    noBadSignature(from);
  });

  test('validate: list, read, write, delete probes in GCS terms, each carrying the project', async () => {
    const from = fresh();
    const v = await cli(['validate', loc(), '--user-project', PROJECT, '--json']);
    assert.equal(v.code, 0, v.stderr + v.stdout);
    const rep = JSON.parse(v.stdout) as { provider: string; auth: string; probes: Array<{ name: string; status: string }> };
    assert.equal(rep.provider, 'gcs');
    assert.equal(rep.auth, `HMAC key ${HMAC.id}, billed to project ${PROJECT}`);
    assert.deepEqual(
      rep.probes.filter((x) => x.status !== 'ok').map((x) => x.name),
      [],
    );
    for (const op of ['list', 'get', 'put', 'delete'] as const)
      assert.ok(
        proxy.requests.some((x) => x.op === op),
        op,
      );
    assertProject(proxy.requests, 'validate', true);
    noBadSignature(from);
    // HEAD and PUT retried like the SDK's S3 requests: a 503 on the marker's HEAD and a reset PUT (the
    // proxy plays them; s3rver never fails) still end in ok, each sent twice.
    const requesterPays = (r: RecordedRequest) =>
      r.headers['x-goog-user-project'] ? undefined : ({ status: 400, code: 'UserProjectMissing', message: 'no user project' } as const);
    proxy.setPolicy((r, nth) => {
      if (r.op === 'head' && nth === 1) return { status: 503, code: 'ServiceUnavailable', message: 'try again' };
      if (r.op === 'put' && nth === 1) return 'reset';
      return requesterPays(r);
    });
    fresh();
    const flaky = await cli(['validate', loc(), '--user-project', PROJECT, '--marker', LOGS.a.slice(TENANT.length), '--json']).finally(() =>
      proxy.setPolicy(requesterPays),
    );
    assert.equal(flaky.code, 0, flaky.stderr + flaky.stdout);
    assert.ok(
      (JSON.parse(flaky.stdout) as { probes: Array<{ status: string }> }).probes.every((x) => x.status === 'ok'),
      flaky.stdout,
    );
    assert.equal(proxy.requests.filter((q) => q.op === 'head').length, 2);
    assert.equal(proxy.requests.filter((q) => q.op === 'put').length, 2);
    // A principal without a role: every probe denied, each hint naming the GCS permission and role.
    const denied = await runInProcess(['validate', loc(), '--user-project', PROJECT, '--endpoint', proxy.url], {
      env: { GCS_HMAC_ACCESS_ID: NOBODY.id, GCS_HMAC_SECRET: NOBODY.secret },
    });
    assert.equal(denied.code, 3, denied.stderr);
    assert.match(
      denied.stdout,
      /list\s+✗\s+AccessDenied\s+the principal needs storage\.objects\.list on the bucket: grant it roles\/storage\.objectViewer/,
    );
    // A wrong secret: SignatureDoesNotMatch with a GCS hint, the secret never printed.
    const bad = await runInProcess(['list', loc(), '--user-project', PROJECT, '--endpoint', proxy.url], {
      env: { ...env, GCS_HMAC_SECRET: 'wrong/Secret+0123456789abcdefABCDEFGHIJ' },
    });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /SignatureDoesNotMatch/);
    assert.match(bad.stderr, /hint: the HMAC secret is wrong/);
    assert.ok(!bad.stderr.includes('wrong/Secret'));
  });

  test('profile add --auth hmac --secret-stdin --user-project: saved (secret masked), then NAME: lists with the stored key and project', async () => {
    const noEnv = { GCS_HMAC_ACCESS_ID: undefined, GCS_HMAC_SECRET: undefined };
    const add = await runInProcess(
      [
        'profile',
        'add',
        'vespa-gcp-hmac',
        loc(),
        '--auth',
        'hmac',
        '--access-key-id',
        HMAC.id,
        '--secret-stdin',
        '--user-project',
        PROJECT,
        '--endpoint',
        proxy.url,
        '--layout',
        'vespa',
      ],
      { env: noEnv, input: `${HMAC.secret}\n` },
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      new RegExp(`saved profile vespa-gcp-hmac: gs://${BUCKET.replace(/\./g, '\\.')}/${TENANT} \\(hmac, billed to ${PROJECT}\\)`),
    );
    const show = await runInProcess(['profile', 'show', 'vespa-gcp-hmac', '--json'], { env: noEnv });
    assert.equal(show.code, 0, show.stderr);
    assert.ok(!show.stdout.includes(HMAC.secret), 'the secret is masked');
    assert.equal((JSON.parse(show.stdout) as { userProject: string }).userProject, PROJECT);
    const from = fresh();
    const r = await runInProcess(['list', 'vespa-gcp-hmac:', '--ndjson'], { env: noEnv });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 4);
    assertProject(proxy.requests, 'list through the profile', true);
    noBadSignature(from);
    // A profile cannot mix in S3's requester pays, nor an S3 location the user project.
    const mixed = await runInProcess(['profile', 'add', 'x-gcp', loc(), '--request-payer', 'requester'], { env: noEnv });
    assert.equal(mixed.code, 2, mixed.stderr);
    const s3p = await runInProcess(['profile', 'add', 'x-s3', 's3://some-bucket/', '--user-project', PROJECT], { env: noEnv });
    assert.equal(s3p.code, 2, s3p.stderr);
    assert.match(s3p.stderr, /--user-project is for Cloud Storage/);
  });
});

describe('gs:// with OAuth (token stand-in verifying the JWT, bearer gate in front of s3rver)', () => {
  let s3: S3Emulator;
  let google: GoogleStub;
  let gate: BearerGate;
  let tmp: string;
  let saFile: string;
  before(async () => {
    s3 = await startS3rver();
    await seedS3(s3, BUCKET, [
      { key: LOGS.a, body: accessLog('2026-11-30T23', 40) },
      { key: LOGS.b, body: accessLog('2026-12-01T00', 25) },
    ]);
    google = await startGoogleStub();
    gate = await startBearerGate(s3.endpoint, google.issued);
    gate.requireProject = PROJECT;
    tmp = mkdtempSync(join(tmpdir(), 'archive-gcs-oauth-'));
    saFile = join(tmp, 'sa.json');
    writeFileSync(saFile, JSON.stringify(google.serviceAccount));
  });
  after(async () => {
    await gate?.stop();
    await google?.stop();
    await s3?.stop();
  });
  const args = (cmd: string[]) => [...cmd, '--endpoint', gate.url, '--user-project', PROJECT];

  test('GOOGLE_APPLICATION_CREDENTIALS (service account): one verified JWT grant, Bearer and the project on every request', async () => {
    gate.requests.length = 0;
    google.grants.length = 0;
    const env = { GOOGLE_APPLICATION_CREDENTIALS: saFile, ARCHIVE_NOW: '2026-12-01T00:40:00Z' };
    const r = await runCli(args(['cat', `gs://${BUCKET}/${TENANT}`, '--kind', 'access', '--since', '2h']), { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 65);
    assert.deepEqual(
      google.grants.map((g) => [g.grant, g.verified]),
      [['urn:ietf:params:oauth:grant-type:jwt-bearer', true]],
    );
    assertProject(gate.requests, 'cat', false);
    assert.ok(
      gate.requests.every((q) => q.status === 200 || q.status === 206),
      gate.requests.map((q) => `${q.method} ${q.path} ${q.status}`).join('; '),
    );
    assert.ok(!r.stderr.includes('ya29.'), 'no token printed');
  });

  test('gcloud ADC file (authorized_user): the refresh grant; the metadata server when there is no file', async () => {
    gate.requests.length = 0;
    google.grants.length = 0;
    const gcloud = join(tmp, 'gcloud');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(gcloud, { recursive: true });
    writeFileSync(join(gcloud, 'application_default_credentials.json'), JSON.stringify(google.authorizedUser));
    const r = await runCli(args(['list', `gs://${BUCKET}/${TENANT}`, '--ndjson']), { env: { CLOUDSDK_CONFIG: gcloud } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.deepEqual(
      google.grants.map((g) => g.grant),
      ['refresh_token'],
    );
    assertProject(gate.requests, 'list (gcloud ADC)', false);
    assert.ok(!r.stderr.includes(google.authorizedUser.refresh_token!));

    google.grants.length = 0;
    gate.requests.length = 0;
    const host = new URL(google.url).host;
    const m = await runCli(args(['list', `gs://${BUCKET}/${TENANT}`, '--ndjson']), {
      env: { CLOUDSDK_CONFIG: join(tmp, 'empty'), GCE_METADATA_HOST: host },
    });
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(
      google.grants.map((g) => [g.grant, g.metadata]),
      [['metadata', true]],
    );
    assertProject(gate.requests, 'list (metadata server)', false);
  });

  test('a key the token endpoint refuses (signed by another key): exit 3 with a hint; without --user-project the gate answers UserProjectMissing', async () => {
    const other = { ...google.serviceAccount };
    const { generateKeyPairSync } = await import('node:crypto');
    other.private_key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const bad = join(tmp, 'other.json');
    writeFileSync(bad, JSON.stringify(other));
    google.grants.length = 0;
    const r = await runCli(args(['list', `gs://${BUCKET}/${TENANT}`]), { env: { GOOGLE_APPLICATION_CREDENTIALS: bad } });
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(
      google.grants.map((g) => g.verified),
      [false],
    );
    assert.match(r.stderr, /invalid_grant/);
    assert.match(r.stderr, /^hint: /m);
    assert.ok(!r.stderr.includes('PRIVATE KEY'));
    const np = await runCli(['list', `gs://${BUCKET}/${TENANT}`, '--endpoint', gate.url], {
      env: { GOOGLE_APPLICATION_CREDENTIALS: saFile },
    });
    assert.equal(np.code, 3, np.stderr);
    assert.match(np.stderr, /requester pays \(UserProjectMissing\)/);
  });

  test('profile add --auth service-account --key-file: NAME: reads with the JWT grant and the stored project', async () => {
    const add = await runCli([
      'profile',
      'add',
      'gcs-sa',
      `gs://${BUCKET}/${TENANT}`,
      '--auth',
      'service-account',
      '--key-file',
      saFile,
      '--user-project',
      PROJECT,
      '--endpoint',
      gate.url,
    ]);
    assert.equal(add.code, 0, add.stderr);
    gate.requests.length = 0;
    google.grants.length = 0;
    const r = await runCli(['list', 'gcs-sa:', '--ndjson']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.deepEqual(
      google.grants.map((g) => [g.grant, g.verified]),
      [['urn:ietf:params:oauth:grant-type:jwt-bearer', true]],
    );
    assertProject(gate.requests, 'list through a service-account profile', false);
  });
});
