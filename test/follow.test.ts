/**
 * `cat --follow` and `list --follow` (issue #25) on both emulators, at several poll intervals:
 * what --since selects first, then each object written after the start within one poll, a late
 * object (older than what was printed, inside the lateness), none beyond the lateness, each record
 * once, an object rewritten in place printed as its appended tail (a ranged read from the old size,
 * seen on the wire through the recording proxy) or as its whole new version; a listing that fails
 * for a while is reported and the follow goes on; an expired SAS ends it with 3; Ctrl-C 130,
 * SIGTERM 143, a closed pipe 0, usage errors 2 before any request.
 *
 * Clock: every run reads one fixed now (the in-process clock, ARCHIVE_NOW for the spawned CLI),
 * an instant whose windows cross midnight and February's end; keys are stamped relative to it. The
 * tests of objects timed by last-modified (the live `vespa.log`, a generic layout) take their now
 * from the object's own last-modified, never from the wall clock. Poll timings are real timers.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { generateBlobSASQueryParameters, ContainerSASPermissions, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startInProcess, runInProcess, type StartedRun } from './support/io.js';
import { BIN, cleanEnv } from './support/cli.js';
import { PROVIDERS, startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';

const MIN = 60_000;
// 00:40 on the 1st of March: the first window (--since 45m) and every poll's (now − 2 h) reach back
// across midnight into February's last day, so each listing reads two daily folders of two months.
const NOW = Date.UTC(2026, 2, 1, 0, 40);

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
const stamp = (t: number) => `${new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
/** A Logpush batch of one minute starting at `t`, in its daily folder. */
const cfKey = (t: number, id: string) => `cf/http_requests/${ymd(t)}/${stamp(t)}_${stamp(t + MIN)}_${id}.log.gz`;
const records = (id: string, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id, n: i }));
const text = (ls: string[]) => `${ls.join('\n')}\n`;
const gz = (ls: string[]) => gzipSync(text(ls));

/** The number of the last poll the run reported (--verbose), -1 before the first. */
function lastPoll(stderr: string): number {
  return Math.max(-1, ...[...stderr.matchAll(/^follow: poll (\d+) /gm)].map((m) => Number(m[1])));
}

/**
 * Does `action` (a write to the archive), then waits until `printed(stdout)` and returns the poll
 * that printed it. When the write is done, poll `seen` has reported; poll seen + 1 may already
 * have been listing; seen + 2 is the first that surely began after it: it must be printed by then.
 */
async function landsWithinOnePoll(run: StartedRun, action: () => Promise<void>, printed: (stdout: string) => boolean): Promise<number> {
  await action();
  const seen = lastPoll(run.stderr.text());
  let at = -1;
  await run.until((out, err) => {
    if (!printed(out)) return false;
    at = lastPoll(err);
    return true;
  });
  assert.ok(at <= seen + 2, `printed at poll ${at}; the write was done when poll ${seen} had reported`);
  return at;
}

/** Waits until the run has reported `n` more polls than now. */
async function polls(run: StartedRun, n: number): Promise<void> {
  const from = lastPoll(run.stderr.text());
  await run.until((_out, err) => lastPoll(err) >= from + n);
}

function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const name of PROVIDERS) {
  describe(`follow on ${name}`, () => {
    let p: ProviderFixture;
    let proxy: FaultProxy;
    let failListings = false;
    before(async () => {
      p = await startProvider(name);
      // Records every object GET with its Range header; listings fail with 503 while failListings is set.
      proxy = await startFaultProxy(p.upstream, () => 'none', { listPlan: () => (failListings ? '503' : 'none') });
    });
    after(async () => {
      await proxy?.close();
      await p?.stop();
    });

    for (const interval of [150, 600]) {
      test(`cat and list --follow every ${interval} ms: first the window, then new, late and rewritten objects, each once`, async () => {
        const bucket = `follow-${interval}`;
        const via = p.via(proxy.url);
        const A = { key: cfKey(NOW - 95 * MIN, 'a0'), body: gz(records('a', 2)) }; // before --since, inside the lateness
        const B = { key: cfKey(NOW - 44 * MIN, 'b0'), body: gz(records('b', 3)) }; // 2026-02-28 23:56
        const C = { key: cfKey(NOW - 10 * MIN, 'c0'), body: gz(records('c', 3)) }; // 2026-03-01 00:30
        await p.seed(bucket, [A, B, C]);
        const args = ['--since', '45m', '--follow', '--interval', `${interval}ms`];
        const cat = startInProcess(['cat', via.loc(bucket, 'cf/http_requests/'), ...args, '-v'], { env: via.env, now: new Date(NOW) });
        const list = startInProcess(['list', p.loc(bucket, 'cf/http_requests/'), ...args, '-o', 'ndjson'], {
          env: p.env,
          now: new Date(NOW),
        });
        const initial = text([...records('b', 3), ...records('c', 3)]);
        await cat.until((out) => out === initial);
        await list.until((out) => ndjson(out).length === 2);
        assert.deepEqual(
          ndjson(list.stdout.text()).map((o) => [o.key, o.follow]),
          [
            [B.key, 'initial'],
            [C.key, 'initial'],
          ],
        );

        // Written after the start: printed by the first poll that lists after it.
        const D = { key: cfKey(NOW - 2 * MIN, 'd0'), body: gz(records('d', 2)) };
        await landsWithinOnePoll(
          cat,
          () => p.seed(bucket, [D]),
          (out) => out.endsWith(text(records('d', 2))),
        );
        await list.until((out) => ndjson(out).some((o) => o.key === D.key));

        // Late: its time (00:10) is older than C (00:30), already printed; it is inside the lateness.
        const L = { key: cfKey(NOW - 30 * MIN, 'l0'), body: gz(records('l', 2)) };
        const lateAt = await landsWithinOnePoll(
          cat,
          () => p.seed(bucket, [L]),
          (out) => out.endsWith(text(records('l', 2))),
        );
        assert.match(cat.stderr.text(), new RegExp(`^follow: poll ${lateAt} .*1 new \\(1 late\\)`, 'm'));

        // Beyond the lateness (3 h old when it lands): never listed, so never printed.
        const X = { key: cfKey(NOW - 180 * MIN, 'x0'), body: gz(records('x', 2)) };
        await p.seed(bucket, [X]);

        // C rewritten in place with one more gzip member: only the appended records are printed,
        // read from C's old size on (the Range header the proxy saw).
        const c2 = Buffer.concat([C.body, gz(records('c2', 2))]);
        await landsWithinOnePoll(
          cat,
          () => p.seed(bucket, [{ key: C.key, body: c2 }]),
          (out) => out.endsWith(text(records('c2', 2))),
        );
        assert.match(
          cat.stderr.text(),
          new RegExp(
            `^note: ${C.key} was rewritten in place: printing the ${c2.length - C.body.length} bytes appended after byte ${C.body.length}$`,
            'm',
          ),
        );
        const cPath = (g: { path: string }) => decodeURIComponent(g.path).endsWith(C.key);
        const ranges = proxy.log.filter(cPath).map((g) => g.range);
        assert.ok(ranges.includes(`bytes=${C.body.length}-${c2.length - 1}`), `reads of C: ${ranges.join(' ')}`);
        // The verification read: the 4096 bytes before the old end (all of C) and the new part's first 4.
        assert.ok(ranges.includes(`bytes=0-${C.body.length + 3}`), `reads of C: ${ranges.join(' ')}`);
        assert.equal(ranges.filter((r) => r === `bytes=0-${c2.length - 1}`).length, 0, 'C was not read whole again');
        await list.until((out) => ndjson(out).some((o) => o.key === C.key && o.follow === 'rewritten'));

        // B rewritten with other content: the new version is printed whole, and stderr says why.
        const b2 = gz(records('b2', 2));
        await landsWithinOnePoll(
          cat,
          () => p.seed(bucket, [{ key: B.key, body: b2 }]),
          (out) => out.endsWith(text(records('b2', 2))),
        );
        assert.match(cat.stderr.text(), new RegExp(`^note: ${B.key} was rewritten in place: printing its new version whole \\(`, 'm'));

        await polls(cat, 2); // X has had its chances
        await polls(list, 0);
        cat.interrupt.abort('SIGINT');
        list.interrupt.abort('SIGINT');
        const [c, l] = await Promise.all([cat.done, list.done]);
        assert.equal(c.code, 130, c.stderr);
        assert.equal(l.code, 130, l.stderr);
        assert.match(c.stderr, /^archive: interrupted$/m);
        // Every record once, in the order the objects landed; A (before --since) and X (beyond the lateness) never.
        assert.equal(
          c.stdout,
          text([...records('b', 3), ...records('c', 3), ...records('d', 2), ...records('l', 2), ...records('c2', 2), ...records('b2', 2)]),
        );
        const rows = ndjson(l.stdout).map((o) => [o.key, o.follow]);
        assert.deepEqual(rows, [
          [B.key, 'initial'],
          [C.key, 'initial'],
          [D.key, 'new'],
          [L.key, 'late'],
          [C.key, 'rewritten'],
          [B.key, 'rewritten'],
        ]);
        assert.ok(!rows.some(([k]) => k === A.key || k === X.key));
      });
    }

    test('the live vespa.log (timed by last-modified) rewritten in place: each appended part once, verified', async () => {
      const bucket = 'follow-live';
      const key = 'acme/shop/default/h1.example/logs/vespa/vespa.log';
      const v1 = Buffer.from(text(records('v1', 3)));
      await p.seed(bucket, [{ key, body: v1 }]);
      const listed = ndjson((await runInProcess(['list', p.loc(bucket), '-o', 'ndjson'], { env: p.env })).stdout);
      // Its time is its last-modified: now is 20 minutes after it, so --since 10m leaves it out at the start.
      const now = new Date(Date.parse(String(listed[0].lastModified)) + 20 * MIN);
      const via = p.via(proxy.url);
      const run = startInProcess(['cat', via.loc(bucket), '--follow', '--since', '10m', '--interval', '200ms', '-v'], {
        env: via.env,
        now,
      });
      await run.until((_out, err) => /no object matches the filters yet; following/.test(err) && lastPoll(err) >= 1);
      const v2 = Buffer.concat([v1, Buffer.from(text(records('v2', 2)))]);
      await landsWithinOnePoll(
        run,
        () => p.seed(bucket, [{ key, body: v2 }]),
        (out) => out === text(records('v2', 2)),
      );
      const v3 = Buffer.concat([v2, Buffer.from(text(records('v3', 2)))]);
      await landsWithinOnePoll(
        run,
        () => p.seed(bucket, [{ key, body: v3 }]),
        (out) => out.endsWith(text(records('v3', 2))),
      );
      // Rotated and begun again: shorter, so printed whole.
      const w = Buffer.from(text(records('w', 1)));
      await landsWithinOnePoll(
        run,
        () => p.seed(bucket, [{ key, body: w }]),
        (out) => out.endsWith(text(records('w', 1))),
      );
      run.interrupt.abort('SIGINT');
      const r = await run.done;
      assert.equal(r.code, 130, r.stderr);
      assert.equal(r.stdout, text([...records('v2', 2), ...records('v3', 2), ...records('w', 1)]));
      const ranges = proxy.log.filter((g) => decodeURIComponent(g.path).endsWith(key)).map((g) => g.range);
      assert.ok(ranges.includes(`bytes=${v1.length}-${v2.length - 1}`), ranges.join(' '));
      assert.ok(ranges.includes(`bytes=${v2.length}-${v3.length - 1}`), ranges.join(' '));
      assert.match(r.stderr, /printing its new version whole \(it is not longer than before/);
    });

    test('a generic layout (last-modified): list --follow shows an object written after the start', async () => {
      const bucket = 'follow-generic';
      await p.seed(bucket, [{ key: 'misc/one.txt', body: 'one\n' }]);
      const listed = ndjson((await runInProcess(['list', p.loc(bucket), '-o', 'ndjson'], { env: p.env })).stdout);
      const now = new Date(Date.parse(String(listed[0].lastModified)) + MIN);
      const run = startInProcess(['list', p.loc(bucket, 'misc/'), '--follow', '--since', '5m', '--interval', '200ms', '--ndjson', '-v'], {
        env: p.env,
        now,
      });
      await run.until((out) => ndjson(out).length === 1);
      await landsWithinOnePoll(
        run,
        () => p.seed(bucket, [{ key: 'misc/two.txt', body: 'two\n' }]),
        (out) => ndjson(out).some((o) => o.key === 'misc/two.txt'),
      );
      run.interrupt.abort('SIGTERM');
      const r = await run.done;
      assert.equal(r.code, 143, r.stderr);
      assert.match(r.stderr, /^archive: terminated by SIGTERM$/m);
      assert.deepEqual(
        ndjson(r.stdout).map((o) => [o.key, o.layout, o.timeSource, o.follow]),
        [
          ['misc/one.txt', 'generic', 'modified', 'initial'],
          ['misc/two.txt', 'generic', 'modified', 'new'],
        ],
      );
    });

    test('a poll costs the same on a 400-day archive as on its last day alone (--verbose counts it)', async () => {
      const recent = Array.from({ length: 8 }, (_, k) => ({
        key: cfKey(NOW - 5 * MIN - k * 30 * MIN, `r${k}`),
        body: gz(records('r', 1)),
      }));
      const ancient = Array.from({ length: 400 }, (_, d) => ({
        key: cfKey(NOW - 2 * 24 * 60 * MIN - d * 24 * 60 * MIN, `o${d}`),
        body: gz(['{}']),
      }));
      await p.seed('follow-young', recent);
      await p.seed('follow-aged', [...ancient, ...recent]);
      const pollLine = async (bucket: string) => {
        const run = startInProcess(['cat', p.loc(bucket, 'cf/http_requests/'), '--follow', '--interval', '100ms', '-v'], {
          env: p.env,
          now: new Date(NOW),
        });
        await run.until((_out, err) => lastPoll(err) >= 2);
        run.interrupt.abort('SIGINT');
        const r = await run.done;
        return /^follow: poll 2 from 2026-02-28T22:40:00Z: (\d+) LIST requests?, (\d+) keys? scanned, 0 new, 0 rewritten \(\d+ ms\)$/m
          .exec(r.stderr)
          ?.slice(1);
      };
      const young = await pollLine('follow-young');
      const aged = await pollLine('follow-aged');
      assert.ok(young, 'poll 2 reported');
      assert.deepEqual(aged, young);
      // Only the window's two daily folders are read: none of the 400 old days' keys.
      assert.ok(Number(young![1]) <= recent.length, `scanned ${young![1]}`);
    });

    test('a listing that keeps failing is reported and the follow goes on', async () => {
      const bucket = 'follow-flaky';
      await p.seed(bucket, [{ key: cfKey(NOW - 5 * MIN, 'f0'), body: gz(records('f', 1)) }]);
      const via = p.via(proxy.url);
      const run = startInProcess(['cat', via.loc(bucket, 'cf/'), '--follow', '--interval', '150ms'], { env: via.env, now: new Date(NOW) });
      await run.until((out) => out === text(records('f', 1)));
      failListings = true;
      try {
        // The provider retries each page itself (4 tries); past that the poll is reported, not fatal.
        await run.until((_out, err) => /^warning: poll \d+: listing .* failed, 10 polls in a row: /m.test(err), 60_000);
      } finally {
        failListings = false;
      }
      await run.until((_out, err) => /^warning: poll \d+: listing .* works again after \d+ failed polls$/m.test(err));
      const warnings = run.stderr.text().split('\n').filter(Boolean);
      const streak = Number(/works again after (\d+) failed polls/.exec(run.stderr.text())![1]);
      // The first failure, every tenth in a row, the recovery: not one line per poll.
      assert.match(warnings[0], /^warning: poll \d+: listing .*follow-flaky\/cf\/ failed: .* \(ServerBusy\); trying again every 150ms$/);
      assert.equal(warnings.length, 2 + Math.floor(streak / 10), warnings.join('\n'));
      await p.seed(bucket, [{ key: cfKey(NOW - 1 * MIN, 'g0'), body: gz(records('g', 1)) }]);
      await run.until((out) => out === text([...records('f', 1), ...records('g', 1)]), 60_000);
      run.interrupt.abort('SIGINT');
      const r = await run.done;
      assert.equal(r.code, 130, r.stderr);
      assert.doesNotMatch(r.stderr, /^archive: (?!interrupted)/m);
    });

    test('Ctrl-C while waiting for the next poll and while an object is read: 130 at once', async () => {
      const bucket = 'follow-stop';
      const big = Buffer.from(`${'x'.repeat(200)}\n`.repeat(20_000)); // 4 MB, read slowly below
      await p.seed(bucket, [
        { key: cfKey(NOW - 5 * MIN, 's0'), body: gz(records('s', 1)) },
        { key: 'slow/big.log', body: big },
      ]);
      // While sleeping: a 10-minute interval, stopped right after the first listing.
      const asleep = startInProcess(['cat', p.loc(bucket, 'cf/'), '--follow', '--interval', '10m', '-v'], {
        env: p.env,
        now: new Date(NOW),
      });
      await asleep.until((out, err) => out === text(records('s', 1)) && lastPoll(err) === 0);
      const t0 = performance.now();
      asleep.interrupt.abort('SIGINT');
      const a = await asleep.done;
      assert.equal(a.code, 130, a.stderr);
      assert.ok(performance.now() - t0 < 5_000, 'the wait for the next poll is cut short');
      // While reading: the body trickles through the proxy at 64 KiB/s.
      const slow = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 64 * 1024 });
      try {
        const via = p.via(slow.url);
        const reading = startInProcess(['cat', via.loc(bucket, 'slow/'), '--follow', '--layout', 'generic', '--since', '1000d'], {
          env: via.env,
          now: new Date(NOW),
        });
        await reading.until((out) => out.length > 0);
        reading.interrupt.abort('SIGTERM');
        const b = await reading.done;
        assert.equal(b.code, 143, b.stderr);
        assert.ok(b.stdout.length < big.length, 'stopped part-way');
      } finally {
        await slow.close();
      }
    });

    test('usage errors before any request (exit 2), nothing under the location (exit 4)', async () => {
      const dead = name === 'azure' ? 'http://127.0.0.1:9/devstoreaccount1/none/x/' : 's3://none/x/';
      const env = name === 'azure' ? p.env : { ...p.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' };
      for (const [argv, message] of [
        [['cat', dead, '--follow', '--until', '1h'], /--until cannot be used with --follow/],
        [['cat', dead, '--follow', '--interval', '5'], /--interval: expected a duration from 100ms to 24h, got "5"/],
        [['cat', dead, '--follow', '--interval', '50ms'], /--interval: expected a duration/],
        [['cat', dead, '--follow', '--lateness', '10m'], /--lateness: expected a duration from 1h to 30d/],
        [['cat', dead, '--interval', '1s'], /--interval is a setting of --follow/],
        [['list', dead, '--follow', '-o', 'json'], /-o json cannot be used with --follow/],
        [['list', dead, '--follow', '--sort', 'time'], /--sort cannot be used with --follow/],
        [['list', dead, '--follow', '--kind', 'nosuch'], /unknown kind "nosuch"/],
      ] as const) {
        const r = await runInProcess([...argv], { env, now: new Date(NOW) });
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /^hint: /m);
      }
      await p.seed('follow-empty', [{ key: 'elsewhere/x.log', body: 'x\n' }]);
      const r = await runInProcess(['cat', p.loc('follow-empty', 'typo/'), '--follow', '--interval', '100ms'], {
        env: p.env,
        now: new Date(NOW),
      });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^archive: nothing under .*typo\//m);
    });

    test('spawned CLI: SIGINT 130, SIGTERM 143, a closed pipe 0', async () => {
      const bucket = 'follow-spawned';
      await p.seed(bucket, [{ key: cfKey(NOW - 5 * MIN, 'p0'), body: gz(records('p', 2)) }]);
      const env = { ...p.env, ARCHIVE_NOW: new Date(NOW).toISOString() };
      const start = () => {
        const child = spawn(process.execPath, [BIN, 'cat', p.loc(bucket, 'cf/'), '--follow', '--interval', '300ms'], {
          env: cleanEnv(env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        const first = new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString())));
        return { child, code, first, err: () => err };
      };
      for (const [sig, code, line] of [
        ['SIGINT', 130, 'archive: interrupted'],
        ['SIGTERM', 143, 'archive: terminated by SIGTERM'],
      ] as const) {
        const s = start();
        assert.equal(await s.first, text(records('p', 2)));
        s.child.stdout.resume();
        s.child.kill(sig);
        assert.equal(await s.code, code, s.err());
        assert.equal(s.err(), `${line}\n`);
      }
      // The reader goes away; the next object written fails with EPIPE: a normal end.
      const s = start();
      await s.first;
      s.child.stdout.destroy();
      await p.seed(bucket, [{ key: cfKey(NOW - 1 * MIN, 'q0'), body: gz(records('q', 2000)) }]);
      assert.equal(await s.code, 0, s.err());
      assert.equal(s.err(), '');
    });

    if (name === 'azure')
      test('a SAS that expires mid-follow ends it with exit 3 and the SAS hint', async () => {
        const bucket = 'follow-sas';
        await p.seed(bucket, [{ key: cfKey(NOW - 5 * MIN, 'e0'), body: gz(records('e', 1)) }]);
        // Azurite checks a SAS against its own (real) clock: this one runs out 3 s from now.
        const sas = generateBlobSASQueryParameters(
          {
            containerName: bucket,
            permissions: ContainerSASPermissions.parse('rl'),
            startsOn: new Date(Date.now() - 5 * MIN),
            expiresOn: new Date(Date.now() + 3_000),
          },
          new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        ).toString();
        const run = startInProcess(['cat', `${p.loc(bucket, 'cf/')}?${sas}`, '--follow', '--interval', '250ms'], {
          env: {},
          now: new Date(NOW),
        });
        const r = await run.done;
        assert.equal(r.code, 3, r.stderr);
        assert.equal(r.stdout, text(records('e', 1)));
        assert.match(r.stderr, /^archive: .*the SAS expired at \S+ \(.* ago\)/m);
        assert.match(r.stderr, /^hint: ask whoever issued it for a new SAS/m);
        assert.doesNotMatch(r.stderr, /sig=/);
      });
  });
}
