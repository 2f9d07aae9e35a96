/**
 * `archive cat` when one object of three fails (issue #10 item 2): every good object is still
 * written, whole and in order, the failure is named on stderr, exit 5 — for every prefetch depth,
 * failure position and kind of failure:
 *   corrupt  the body starts as gzip (its magic bytes) and is not gzip after them: decoding is decided
 *            by the bytes, so plain text named .gz would simply be written as it is;
 *   404      the object is deleted after the listing, just before its GET reaches the server;
 *   reset    every GET of it is reset, past the retry budget (--retries 2).
 * Timings: "natural" lets the requests race; "failed-first" holds back the object written just
 * before the failing one until the server has answered the failing one for the last time, so the
 * failure is settled before the writer reaches it (the case that used to end the run silently).
 * The hold-back synchronises on what the proxy saw, not on sleeps.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { runCli } from './support/cli.js';
import { startProvider, type ProviderFixture } from './support/providers.js';
import { startHookProxy, type HookAction } from './support/hook-proxy.js';
import { azureService, s3Client } from './support/seed.js';
import type { AzuriteEmulator, S3Emulator } from './support/emulators.js';

type Kind = 'corrupt' | '404' | 'reset';
type Timing = 'natural' | 'failed-first';
const NAMES = ['a', 'b', 'c'];
/**
 * Every GET of a reset object: one per read attempt (--retries 2). Object reads go over the lean
 * GET path, which leaves retrying to archive's own policy (through the SDKs it was 4 tries × 2).
 */
const RESET_ANSWERS = 2;

/** gzip's magic bytes, then text: a body that says gzip and is not (plain text is simply plain). */
const notGzip = (text: string) => Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(text)]);

/** Distinct, sizeable bodies: a few hundred KiB decoded, so they span many chunks. */
function records(name: string): string {
  return `${Array.from({ length: 4000 }, (_, i) => JSON.stringify({ obj: name, i, pad: 'x'.repeat(40) })).join('\n')}\n`;
}

async function deleteObject(p: ProviderFixture, container: string, key: string): Promise<void> {
  if (p.name === 'azure')
    await azureService(p.emu as AzuriteEmulator)
      .getContainerClient(container)
      .getBlobClient(key)
      .delete();
  else await s3Client(p.emu as S3Emulator).send(new DeleteObjectCommand({ Bucket: container, Key: key }));
}

/** `host`: the endpoint the CLI talks to (the proxy), which Azure network errors name. */
function expectedFailureLine(p: ProviderFixture, kind: Kind, container: string, key: string, host: string): string {
  const where = p.name === 'azure' ? `az://devstoreaccount1/${container}/${key}` : `s3://${container}/${key}`;
  switch (kind) {
    case 'corrupt':
      return `archive: ${key}: corrupt gzip data: unknown compression method`;
    case '404':
      return p.name === 'azure' ? `archive: read ${where}: not found (BlobNotFound)` : `archive: read ${where}: not found (NoSuchKey)`;
    case 'reset':
      return p.name === 'azure'
        ? `archive: read ${where}: network error ECONNRESET reaching ${host} (ECONNRESET)`
        : `archive: read ${where}: network error ECONNRESET (ECONNRESET)`;
  }
}

interface Case {
  kind: Kind;
  bad: number;
  depth: number;
  timing: Timing;
}

function cases(full: boolean): Case[] {
  const out: Case[] = [];
  const depths = full ? [0, 1, 2, 4] : [1];
  for (const kind of ['corrupt', '404', 'reset'] as Kind[]) {
    for (let bad = 0; bad < 3; bad++) {
      for (const depth of depths) {
        out.push({ kind, bad, depth, timing: 'natural' });
        // Only a prefetched object can fail before its turn; the first one has no turn before it.
        if (depth > 0 && bad > 0 && (full ? depth !== 2 : true)) out.push({ kind, bad, depth, timing: 'failed-first' });
      }
    }
  }
  return out;
}

for (const name of ['azure', 's3'] as const) {
  describe(`cat with one failing object on ${name}`, () => {
    let p: ProviderFixture;
    let n = 0;
    before(async () => {
      p = await startProvider(name);
    });
    after(async () => p?.stop());

    // Azurite gets every combination; s3rver a representative set (every kind and position at depth 1).
    for (const c of cases(name === 'azure')) {
      test(`${c.kind} object ${NAMES[c.bad]} of a,b,c, --prefetch ${c.depth}, ${c.timing}`, async () => {
        const container = `catfail${++n}`;
        const keys = NAMES.map((x) => `x/${x}.gz`);
        const badKey = keys[c.bad];
        await p.seed(
          container,
          NAMES.map((x, i) => ({
            key: keys[i],
            body: i === c.bad && c.kind === 'corrupt' ? notGzip('this is not gzip\n') : gzipSync(records(x)),
          })),
        );
        const answersOfBad = c.kind === 'reset' ? RESET_ANSWERS : 1;
        let proxyRef: Awaited<ReturnType<typeof startHookProxy>> | undefined;
        const hook = async (key: string, nth: number): Promise<HookAction> => {
          if (key === badKey && c.kind === 'reset') return 'reset';
          if (key === badKey && c.kind === '404' && nth === 1) await deleteObject(p, container, key);
          if (c.timing === 'failed-first' && key === keys[c.bad - 1]) await proxyRef!.answeredTimes(badKey, answersOfBad);
          return 'forward';
        };
        const proxy = await startHookProxy(p.upstream, p.name === 'azure' ? 2 : 1, hook);
        proxyRef = proxy;
        try {
          const v = p.via(proxy.url);
          const r = await runCli(['cat', v.loc(container, 'x/'), '--order', 'key', '--prefetch', String(c.depth), '--retries', '2'], {
            env: v.env,
            timeoutMs: 90_000,
          });
          const good = NAMES.filter((_, i) => i !== c.bad)
            .map(records)
            .join('');
          assert.equal(r.code, 5, r.stderr);
          assert.equal(r.stdout.length, good.length, r.stderr);
          assert.ok(r.stdout === good, 'stdout must be the good objects, whole and in key order');
          assert.deepEqual(r.stderr.split('\n'), [
            expectedFailureLine(p, c.kind, container, badKey, new URL(proxy.url).host),
            'archive: 1 of 3 objects could not be read (see above)',
            'hint: the other objects were written in full; re-run for the failed ones, or check them with `archive pull`',
            '',
          ]);
          assert.equal(proxy.answered.get(badKey), answersOfBad, 'the failing object was asked for as often as the retry budget allows');
        } finally {
          await proxy.close();
        }
      });
    }

    test('two failures and a good object in between: both named in order, the good one written', async () => {
      const container = `catfail${++n}`;
      await p.seed(container, [
        { key: 'y/a.gz', body: notGzip('junk one\n') },
        { key: 'y/b.gz', body: gzipSync(records('b')) },
        { key: 'y/c.gz', body: notGzip('junk two\n') },
      ]);
      const r = await runCli(['cat', p.loc(container, 'y/'), '--order', 'key', '--prefetch', '2'], { env: p.env });
      assert.equal(r.code, 5, r.stderr);
      assert.ok(r.stdout === records('b'));
      assert.deepEqual(r.stderr.split('\n').slice(0, 3), [
        'archive: y/a.gz: corrupt gzip data: unknown compression method',
        'archive: y/c.gz: corrupt gzip data: unknown compression method',
        'archive: 2 of 3 objects could not be read (see above)',
      ]);
    });

    test('--prefetch out of range is a usage error', async () => {
      const r = await runCli(['cat', p.loc('nothing'), '--prefetch', '65'], { env: p.env });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        'archive: --prefetch: expected a whole number from 0 to 64, got "65"\nhint: 0 reads one object at a time; the default is 4\n',
      );
    });
  });
}
