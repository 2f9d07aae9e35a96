/**
 * `archive list` and `archive containers` against real emulators, the same cases on both providers.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { transcript } from './support/cli.js';
import { bothWays, runInProcess } from './support/io.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import type { SeedObject } from './support/seed.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';
import { ContainerSASPermissions, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { startFaultProxy } from './support/fault-proxy.js';

const VESPA = [
  'acme/search/prod/h1.vespa.example/logs/access/JsonAccessLog.default.20260105160001.zst',
  'acme/search/prod/h1.vespa.example/logs/access/JsonAccessLog.default.20260105170001.zst',
  'acme/search/prod/h2.vespa.example/logs/access/JsonAccessLog.default.20260105170002.zst',
  'acme/search/prod/h2.vespa.example/logs/connection/ConnectionLog.default.20260105170002.zst',
];
const CLOUDFLARE = [
  'http_requests/20260105/20260105T165500Z_20260105T170000Z_0a1b2c3d.log.gz',
  'http_requests/20260105/20260105T170000Z_20260105T170500Z_4e5f6a7b.log.gz',
  'http_requests/20260106/20260106T000000Z_20260106T000500Z_8c9d0e1f.log.gz',
];
const AMPLITUDE = ['amp/123456_2026-01-05_7#0.json.gz', 'amp/123456_2026-01-05_17#1.json.gz'];
const OTHER = ['misc/readme.txt'];
const ALL = [...VESPA, ...CLOUDFLARE, ...AMPLITUDE, ...OTHER];

function readSas(container: string): string {
  return generateBlobSASQueryParameters(
    {
      containerName: container,
      permissions: ContainerSASPermissions.parse('rl'),
      expiresOn: new Date(Date.now() + 3_600_000),
      protocol: SASProtocol.HttpsAndHttp,
      version: '2025-05-05',
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  ).toString();
}

function body(key: string): SeedObject {
  return { key, body: `data for ${key}\n` };
}

/** Keys in the paging container; with pages of PAGE keys that is three pages, the last one short. */
const MANY = 250;
const PAGE = 100;

/** One emulator per provider for the whole file (each describe seeds its own containers). */
const shared = new Map<string, Promise<ProviderFixture>>();
const provider = (name: 'azure' | 's3') => {
  if (!shared.has(name)) shared.set(name, startProvider(name));
  return shared.get(name)!;
};
after(async () => {
  for (const p of shared.values()) await (await p).stop();
});

for (const name of PROVIDERS) {
  describe(`list on ${name}`, () => {
    let p: ProviderFixture;
    before(async () => {
      p = await provider(name);
      await p.seed('logs', ALL.map(body));
      await p.seed(
        'many',
        Array.from({ length: MANY }, (_, i) => body(`k/${String(i).padStart(5, '0')}.txt`)),
      );
    });

    test('the spawned binary prints what the in-process run prints (listing, containers, a usage error)', async () => {
      for (const argv of [
        ['list', p.loc('logs'), '--ndjson'],
        ['list', p.loc('logs'), '--long', '--totals'],
        ['containers', name === 'azure' ? p.loc('') : 's3://', '--ndjson'],
        ['list', p.loc('logs'), '--layout', 'nope'],
      ]) {
        const { inProcess, spawned } = await bothWays(argv, { env: p.env });
        assert.deepEqual(
          { code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr },
          { code: spawned.code, stdout: spawned.stdout, stderr: spawned.stderr },
          argv.join(' '),
        );
      }
    });

    test('containers lists containers/buckets', async () => {
      const r = await runInProcess(['containers', name === 'azure' ? p.loc('') : 's3://', '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((c) => c.name).sort();
      assert.deepEqual(names, ['logs', 'many']);
    });

    test('containers --ndjson: one JSON object per line', async () => {
      const r = await runInProcess(['containers', name === 'azure' ? p.loc('') : 's3://', '--ndjson'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { name: string; lastModified: string });
      assert.deepEqual(rows.map((x) => x.name).sort(), ['logs', 'many']);
      for (const x of rows) assert.deepEqual(Object.keys(x).sort(), ['lastModified', 'name']);
      for (const x of rows) assert.ok(!Number.isNaN(Date.parse(x.lastModified)), x.lastModified);
    });

    test('list with no location lists containers', async () => {
      const r = await runInProcess(['list', name === 'azure' ? p.loc('') : 's3://'].slice(0, 1), {
        env: name === 'azure' ? p.env : { ...p.env },
      });
      if (name === 'azure') {
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(
          r.stdout
            .trim()
            .split('\n')
            .map((l) => l.trim().split(/\s+/).pop())
            .sort(),
          ['logs', 'many'],
        );
      } else {
        // Nothing names an S3 endpoint as default: a usage error with a hint, not a hang.
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^archive: no location given/m);
        assert.match(r.stderr, /^hint: /m);
      }
    });

    test('lists every key, streamed as ndjson, with layouts recognised', async () => {
      const r = await runInProcess(['list', p.loc('logs'), '--ndjson'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((x) => x.key).sort(), [...ALL].sort());
      const byKey = new Map(rows.map((x) => [x.key, x]));
      assert.equal(byKey.get(VESPA[1]).layout, 'vespa');
      assert.equal(byKey.get(VESPA[1]).host, 'h1.vespa.example');
      assert.equal(byKey.get(VESPA[1]).time, '2026-01-05T17:00:01.000Z');
      assert.equal(byKey.get(CLOUDFLARE[1]).layout, 'cloudflare');
      assert.equal(byKey.get(CLOUDFLARE[1]).timeEnd, '2026-01-05T17:05:00.000Z');
      assert.equal(byKey.get(AMPLITUDE[0]).layout, 'amplitude');
      assert.equal(byKey.get(AMPLITUDE[0]).time, '2026-01-05T07:00:00.000Z');
      assert.equal(byKey.get(OTHER[0]).timeSource, 'modified');
    });

    test('--json is one document with totals', async () => {
      const r = await runInProcess(['list', p.loc('logs', 'http_requests/'), '--json'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.count, 3);
      assert.equal(doc.objects.length, 3);
      assert.equal(
        doc.bytes,
        CLOUDFLARE.reduce((n, k) => n + Buffer.byteLength(`data for ${k}\n`), 0),
      );
    });

    test(`pages are followed: ${MANY} keys in pages of ${PAGE} (the service decides the page size)`, async () => {
      // The proxy lowers the page size the CLI asks for (both services may always return fewer
      // keys than asked), so three real continuation round trips happen without seeding 5,000 keys.
      const proxy = await startFaultProxy(p.upstream, () => 'none', { listPageSize: PAGE });
      try {
        // Azure's shared-key signature covers the query (maxresults too); a SAS does not, so Azure goes through one.
        const via = p.via(proxy.url);
        const loc = name === 'azure' ? `${via.loc('many')}?${readSas('many')}` : via.loc('many');
        const r = await runInProcess(['list', loc, '--json'], { env: name === 'azure' ? {} : via.env });
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.count, MANY);
        assert.deepEqual(
          doc.objects.map((o: { key: string }) => o.key).sort(),
          Array.from({ length: MANY }, (_, i) => `k/${String(i).padStart(5, '0')}.txt`),
        );
        assert.equal(proxy.lists, Math.ceil(MANY / PAGE), 'listing requests made');
      } finally {
        await proxy.close();
      }
    });

    test('time window uses key time; range keys overlap; boundaries', async () => {
      const run = async (...extra: string[]) => {
        const r = await runInProcess(['list', p.loc('logs'), '--ndjson', ...extra], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim()
          ? r.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).key)
              .sort()
          : [];
      };
      // [17:00, 17:01): the 16:55-17:00 Cloudflare file ends exactly at 17:00 (exclusive) → out;
      // the Vespa file rotated at 16:00:01 covers the hour up to 17:00:01 → in; Amplitude hour 17 → in.
      const w = await run('--since', '2026-01-05T17:00:00Z', '--until', '2026-01-05T17:01:00Z', '--exclude', 'misc/**');
      assert.deepEqual(w, [CLOUDFLARE[1], VESPA[0], VESPA[1], VESPA[2], VESPA[3], AMPLITUDE[1]].sort());
      const early = await run('--since', '2026-01-05T17:00:02Z', '--until', '2026-01-05T17:00:03Z', '--include', '**/access/**');
      assert.deepEqual(early, [VESPA[1], VESPA[2]].sort());
      // --until is exclusive: a point exactly at until is out.
      const u = await run('--until', '2026-01-05T17:00:01Z', '--kind', 'access');
      assert.deepEqual(u, [VESPA[0]]);
      const amp = await run('--since', '2026-01-05T17:00:00Z', '--until', '2026-01-05T18:00:00Z', '--include', 'amp/*');
      assert.deepEqual(amp, [AMPLITUDE[1]]);
    });

    test('--kind, --host, --include/--exclude', async () => {
      const run = async (...extra: string[]) => {
        const r = await runInProcess(['list', p.loc('logs'), '--ndjson', ...extra], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim()
          ? r.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).key)
              .sort()
          : [];
      };
      assert.deepEqual(await run('--host', 'h2.*'), [VESPA[2], VESPA[3]].sort());
      assert.deepEqual(await run('--kind', 'connection'), [VESPA[3]]);
      assert.deepEqual(await run('--include', '*.log.gz', '--exclude', '*20260106*'), CLOUDFLARE.slice(0, 2).sort());
    });

    test('human table and totals', async () => {
      const r = await runInProcess(['list', p.loc('logs', 'amp/'), '--long', '--totals'], { env: p.env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(
        lines.sort()[0],
        // …, last-modified, ETag, tier (the emulators' defaults), key.
        /^2026-01-05 07:00:00\s+\d+ B\s+events\s+2\d{3}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+\s+(Hot|STANDARD)\s+amp\/123456_2026-01-05_7#0\.json\.gz$/,
      );
      assert.match(r.stderr, /^2 objects, \d+ B$/m);
    });

    test('missing container/bucket → exit 4 with the service code and a hint', async () => {
      const r = await runInProcess(['list', p.loc('no-such-container')], { env: p.env });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, name === 'azure' ? /^archive: .*\(ContainerNotFound\)$/m : /^archive: .*\(NoSuchBucket\)$/m);
      assert.match(r.stderr, /^hint: /m);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
    });

    test('wrong credential → exit 3, no secret printed even with --verbose', async () => {
      // A wrong secret distinct from the real one (so "not printed" can fail); s3rver checks only
      // the key id, so on S3 the id is wrong too.
      const badSecret =
        name === 'azure' ? Buffer.from('not-the-right-key-0123456789').toString('base64') : 'wrong/Secret+Key0123456789abcdefWXYZ';
      const env =
        name === 'azure'
          ? { AZURE_STORAGE_CONNECTION_STRING: (p.env.AZURE_STORAGE_CONNECTION_STRING as string).replace(AZURITE_KEY, badSecret) }
          : { ...p.env, AWS_ACCESS_KEY_ID: 'WRONGKEYID', AWS_SECRET_ACCESS_KEY: badSecret };
      const r = await runInProcess(['list', p.loc('logs'), '--verbose'], { env });
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        name === 'azure'
          ? /^archive: list .*: permission denied \(AuthorizationFailure\)$/m
          : /^archive: list .*: permission denied \(InvalidAccessKeyId\)$/m,
      );
      assert.match(r.stderr, /^hint: /m);
      for (const form of [badSecret, encodeURIComponent(badSecret)])
        assert.ok(!r.stderr.includes(form) && !r.stdout.includes(form), 'the bad secret was printed');
      // The stack is mapped from the bundle back to the provider's source file.
      assert.match(r.stderr, new RegExp(`\\bsrc/providers/${name}\\.ts:\\d+:\\d+`));
    });

    test('unknown layout → exit 2 before any request', async () => {
      const r = await runInProcess(['list', p.loc('logs'), '--layout', 'nope'], { env: p.env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^archive: unknown layout "nope"/m);
      assert.match(r.stderr, /^hint: .*vespa/m);
    });

    test('bad --since → exit 2', async () => {
      const r = await runInProcess(['list', p.loc('logs'), '--since', 'yesterday-ish'], { env: p.env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^archive: --since: cannot read "yesterday-ish" as a time$/m);
    });
  });
}

describe('locations and SAS on Azure', () => {
  let p: ProviderFixture;
  before(async () => {
    p = await provider('azure');
    await p.seed('logs', ALL.map(body));
  });

  test('bad SAS signature → exit 3 and the signature is never printed', async () => {
    const sig = 'dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ%3D%3D';
    const url = `${p.loc('logs')}?sv=2021-08-06&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&st=2020-01-01T00:00:00Z&spr=https,http&sig=${sig}`;
    const r = await runInProcess(['list', url, '--verbose'], { env: {} });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^archive: list .*: permission denied \(AuthorizationFailure\)$/m);
    assert.ok(!r.stderr.includes(sig) && !r.stderr.includes(decodeURIComponent(sig)), r.stderr);
    assert.ok(!r.stdout.includes(sig));
  });

  test('malformed URL → exit 2', async () => {
    const expected: Record<string, RegExp> = {
      'az://UPPER_CASE/c': /^archive: malformed location "az:\/\/UPPER_CASE\/c": "UPPER_CASE" is not a storage account name$/m,
      'ftp://x/y': /^archive: malformed location "ftp:\/\/x\/y"$/m,
      'http://': /^archive: malformed location "http:\/\/": not a valid URL$/m,
      '%%%': /^archive: malformed location "%%%"$/m,
    };
    for (const [bad, re] of Object.entries(expected)) {
      const r = await runInProcess(['list', bad], { env: {} });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, re, bad);
      assert.match(r.stderr, /^hint: /m);
    }
  });

  test('unknown profile → exit 2', async () => {
    const r = await runInProcess(['list', 'nosuchprofile:logs/'], { env: {} });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^archive: unknown profile "nosuchprofile"$/m);
    assert.match(r.stderr, /^hint: no profiles are saved yet /m);
  });

  test('nothing listening → network error with hint, exit 1', async () => {
    const r = await runInProcess(['list', 'http://127.0.0.1:9/devstoreaccount1/logs'], { env: p.env, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^archive: list .*network error ECONNREFUSED/m);
    assert.match(r.stderr, /^hint: nothing is listening/m);
  });

  test('no secret in any output of this suite', () => {
    const all = transcript.join('\n');
    assert.ok(!all.includes(AZURITE_KEY), 'the account key leaked');
  });
});

describe('usage errors', () => {
  test('unknown option / command / missing argument: exit 2 in SPEC shape', async () => {
    const cases: Array<[string[], RegExp, RegExp]> = [
      [['list', '--bogus'], /^archive: unknown option '--bogus'$/m, /^hint: run `archive list --help` for usage$/m],
      [['frobnicate'], /^archive: unknown command 'frobnicate'$/m, /^hint: run `archive --help` for usage$/m],
      [['pull'], /^archive: missing required argument 'location'$/m, /^hint: run `archive pull --help` for usage$/m],
    ];
    for (const [args, msg, hint] of cases) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, msg);
      assert.match(r.stderr, hint);
      assert.equal(r.stdout, '');
    }
  });

  test('--help and --version exit 0', async () => {
    const h = await runInProcess(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Exit codes: 0 ok/);
    const v = await runInProcess(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout.split('\n')[0], /^archive \d+\.\d+\.\d+$/);
  });
});
