/**
 * What interrupted and stalled runs leave behind (issue #22 item 14), on both emulators:
 *   - a pull waiting for a file another live pull holds gives up once the holder made no progress
 *     for --lock-timeout, naming it (pid, host, since) and how to get past it, and still pulls
 *     the rest (exit 5); a holder that keeps writing is waited for past the limit;
 *   - part, state, temp and lock files of objects the run does not select are listed by --dry-run
 *     (table and JSON) and removed by --clean-parts; a live run's files are never touched;
 *   - a query killed with -9 leaves its temp dir; the next query removes it and says so, and
 *     leaves the dir of a query still running.
 * Live holders are real processes (a `sleep` child); a dead one is a child that has exited.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './support/io.js';
import { BIN, ROOT, cleanEnv, runCli } from './support/cli.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { until } from './support/files.js';

const KEYS = ['logs/a.log', 'logs/b.log', 'logs/c.log'];
const body = (k: string) => `${JSON.stringify({ key: k })}\n`.repeat(200);

/** /proc start time of a pid (what archive records to tell a reused pid from its owner). */
function startOf(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A process that stays alive until killed: the holder of a lock or a temp dir. */
function liveProcess(): { pid: number; owner: (since?: string) => string; stop(): void } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = child.pid!;
  return {
    pid,
    owner: (since) => JSON.stringify({ pid, host: hostname(), start: startOf(pid), token: `t${pid}`, ...(since ? { since } : {}) }),
    stop: () => child.kill('SIGKILL'),
  };
}

/** A pid that has just exited (so it is provably gone). */
function deadPid(): number {
  return spawnSync('true').pid!;
}

for (const name of PROVIDERS) {
  describe(`leftovers of interrupted and stalled runs (${name})`, () => {
    let p: ProviderFixture;
    let tmp: string;
    before(async () => {
      p = await startProvider(name);
      tmp = mkdtempSync(join(tmpdir(), 'archive-leftovers-'));
      await p.seed('left', [...KEYS.map((key) => ({ key, body: body(key) })), { key: 'other/z.log', body: 'z\n' }]);
    });
    after(async () => {
      await p?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    test('a stalled live holder: the file fails after --lock-timeout, naming pid, host and since; the rest is pulled', async () => {
      const dest = join(tmp, `stalled-${name}`);
      mkdirSync(dest, { recursive: true });
      const holder = liveProcess();
      try {
        writeFileSync(join(dest, 'b.log.archive-lock'), holder.owner('2026-12-01T00:30:00.000Z'));
        writeFileSync(join(dest, 'b.log.archive-part'), 'half');
        const r = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--lock-timeout', '1s'], { env: p.env });
        assert.equal(r.code, 5, r.stderr);
        const who = `another archive pull (pid ${holder.pid} on ${hostname()}, since 2026-12-01T00:30:00Z)`;
        const err = `${join(dest, 'b.log')} is held by ${who}, which made no progress on it for 1s`;
        const lines = r.stderr.trimEnd().split('\n');
        assert.deepEqual(lines.slice(0, 2), [
          `waiting     logs/b.log: ${who} is writing ${join(dest, 'b.log')}`,
          `failed      logs/b.log: ${err} (LockTimeout)`,
        ]);
        assert.match(lines[2]!, /^2 downloaded \(\S+ \S+ at \S+ \S+\/s\), 0 already complete, 1 failed in \d+\.\ds$/);
        assert.deepEqual(lines.slice(3), [
          `archive: 1 of 3 objects failed; first: ${err} (LockTimeout)`,
          `hint: if that run is stuck, stop it (kill ${holder.pid} on ${hostname()}) and run again; or wait longer with --lock-timeout (0 waits for ever)`,
        ]);
        assert.equal(readFileSync(join(dest, 'a.log'), 'utf8'), body('logs/a.log'));
        assert.equal(readFileSync(join(dest, 'c.log'), 'utf8'), body('logs/c.log'));
        // The holder's files are its own: untouched.
        assert.equal(readFileSync(join(dest, 'b.log.archive-part'), 'utf8'), 'half');
        assert.ok(!existsSync(join(dest, 'b.log')));
        const bad = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--lock-timeout', 'soon'], { env: p.env });
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /^archive: --lock-timeout "soon": expected a duration like 90s, 10m or 1h \(0 waits for ever\)$/m);
      } finally {
        holder.stop();
      }
    });

    test('a live holder that keeps writing is waited for past the limit', async () => {
      const dest = join(tmp, `busy-${name}`);
      mkdirSync(dest, { recursive: true });
      const holder = liveProcess();
      const lock = join(dest, 'b.log.archive-lock');
      writeFileSync(lock, holder.owner());
      // The holder grows its part file every 200 ms for 2.4 s (2.4 × the limit), then lets go.
      let n = 0;
      const writer = setInterval(() => {
        appendFileSync(join(dest, 'b.log.archive-part'), 'x');
        if (++n === 12) {
          clearInterval(writer);
          rmSync(lock);
          rmSync(join(dest, 'b.log.archive-part'));
        }
      }, 200);
      try {
        const started = Date.now();
        const r = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--lock-timeout', '1s'], { env: p.env });
        assert.equal(r.code, 0, r.stderr);
        assert.ok(Date.now() - started >= 2000, 'it waited for the holder to finish');
        assert.equal(readFileSync(join(dest, 'b.log'), 'utf8'), body('logs/b.log'));
        assert.match(r.stderr, /^waiting {5}logs\/b\.log: another archive pull \(pid \d+ on .*, since \S+Z\) is writing /m);
      } finally {
        clearInterval(writer);
        holder.stop();
      }
    });

    test('--dry-run lists the leftovers of objects the run does not select; --clean-parts removes them, never a live run’s', async () => {
      const dest = join(tmp, `stale-${name}`);
      mkdirSync(join(dest, 'old'), { recursive: true });
      const holder = liveProcess();
      try {
        // An earlier run's window: x.log half fetched (part + state), y.log's lock of a dead run,
        // w.log's temp file; a live run working on v.log right now.
        writeFileSync(join(dest, 'old', 'x.log.archive-part'), 'partial');
        writeFileSync(join(dest, 'old', 'x.log.archive-part.json'), '{"v":1}');
        writeFileSync(join(dest, 'old', 'y.log.archive-lock'), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'gone' }));
        writeFileSync(join(dest, 'old', 'w.log.archive-tmp'), 'tmp');
        writeFileSync(join(dest, 'old', 'v.log.archive-lock'), holder.owner());
        writeFileSync(join(dest, 'old', 'v.log.archive-part'), 'live');
        // A leftover of an object this run does select is its own business (resumed), not stale.
        writeFileSync(join(dest, 'a.log.archive-part'), 'resume me');
        const stale = ['old/w.log.archive-tmp', 'old/x.log.archive-part', 'old/x.log.archive-part.json', 'old/y.log.archive-lock'];
        const sizes: Record<string, number> = {
          'old/w.log.archive-tmp': 3,
          'old/x.log.archive-part': 7,
          'old/x.log.archive-part.json': 7,
          'old/y.log.archive-lock': readFileSync(join(dest, 'old', 'y.log.archive-lock')).length,
        };
        const dry = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--dry-run'], { env: p.env });
        assert.equal(dry.code, 0, dry.stderr);
        const staleLines = dry.stdout.split('\n').filter((l) => l.startsWith('stale'));
        assert.deepEqual(
          staleLines,
          stale.map((f) => `stale       ${join(dest, f)} (${sizes[f]} B; left by an interrupted run, no selected object writes it)`),
        );
        const total = Object.values(sizes).reduce((a, b) => a + b, 0);
        assert.equal(
          dry.stderr.trimEnd().split('\n').at(-1),
          `4 leftover files (${total} B) of interrupted runs for objects this run does not select: --clean-parts removes them`,
        );
        const js = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--dry-run', '--json'], { env: p.env });
        assert.deepEqual(
          JSON.parse(js.stdout).stale,
          stale.map((f) => ({ path: join(dest, f), bytes: sizes[f], removed: false })),
        );

        const clean = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--clean-parts'], { env: p.env });
        assert.equal(clean.code, 0, clean.stderr);
        assert.equal(
          clean.stderr.trimEnd().split('\n').at(-1),
          `removed 4 leftover files (${total} B) of interrupted runs for objects this run does not select`,
        );
        assert.deepEqual(readdirSync(join(dest, 'old')).sort(), ['v.log.archive-lock', 'v.log.archive-part']);
        assert.equal(readFileSync(join(dest, 'a.log'), 'utf8'), body('logs/a.log'));
        const after = await runInProcess(['pull', p.loc('left', 'logs/'), dest, '--dry-run'], { env: p.env });
        assert.doesNotMatch(after.stdout, /^stale /m);
      } finally {
        holder.stop();
      }
    });

    test('a query killed with -9 leaves its temp dir; the next query removes it, and never a live one', async () => {
      const own = mkdtempSync(join(tmp, `tmpdir-${name}-`));
      const live = liveProcess();
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 2048 });
      try {
        // A query still running elsewhere (its owner lives): must stay.
        const running = join(own, 'archive-query-live01');
        mkdirSync(join(running, 'objects'), { recursive: true });
        writeFileSync(join(running, 'owner.json'), JSON.stringify({ ...JSON.parse(live.owner()), token: 'archive-query-live01' }));
        // Not a query's, though named alike, whatever their owner files say: never touched.
        const deadOwner = JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), token: 'archive-query-notes' });
        for (const other of ['archive-query-notes', 'archive-query-test-a1b2c3', 'archive-query-x0y0z0']) {
          mkdirSync(join(own, other));
          if (other !== 'archive-query-x0y0z0') writeFileSync(join(own, other, 'owner.json'), deadOwner);
        }
        const keep = ['archive-query-live01', 'archive-query-notes', 'archive-query-test-a1b2c3', 'archive-query-x0y0z0'];
        const via = p.via(proxy.url);
        const child = spawn(process.execPath, [BIN, 'query', via.loc('left', 'logs/'), 'SELECT count(*) FROM logs'], {
          env: cleanEnv({ ...via.env, TMPDIR: own }),
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'ignore'],
        });
        const exited = new Promise((r) => child.on('close', r));
        const dirs = () => readdirSync(own).filter((d) => d.startsWith('archive-query-') && !keep.includes(d));
        await until(() => dirs().length === 1 && existsSync(join(own, dirs()[0]!, 'objects')), 'the query temp dir', exited);
        const dead = join(own, dirs()[0]!);
        child.kill('SIGKILL');
        await exited;
        assert.ok(existsSync(join(dead, 'owner.json')), 'kill -9 runs no clean-up: the dir is still there');
        const r = await runCli(['query', p.loc('left', 'logs/'), '--csv', 'SELECT count(*) AS n FROM logs'], {
          env: { ...p.env, TMPDIR: own },
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'n\n600\n');
        assert.equal(r.stderr, `archive: removed the temp dir of a query that ended without cleaning up (pid ${child.pid}): ${dead}\n`);
        assert.deepEqual(readdirSync(own).sort(), [...keep].sort());
      } finally {
        await proxy.close();
        live.stop();
      }
    });
  });
}
