/**
 * The small pieces behind issue #10's pull fixes, without a server: per-file locks (stale-lock
 * takeover, planted links, foreign hosts), the dead-endpoint counter, the Azure folder-stub rule
 * and pulled-object records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_SUFFIX, ownerAlive, tryLock, waitLock } from '../src/pull/file-lock.js';
import { EndpointHealth, EndpointDownError, isConnectionFailure } from '../src/pull/endpoint-health.js';
import { isFolderBlob } from '../src/providers/azure.js';
import { PulledRecords } from '../src/pull/pulled-record.js';
import { TransientError } from '../src/errors.js';

const dir = () => mkdtempSync(join(tmpdir(), 'archive-units-'));

/** The pid of a process that has already exited (and was reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

test('tryLock: one holder at a time; release frees it', async () => {
  const d = dir();
  const f = join(d, 'file.log');
  const a = await tryLock(f);
  assert.ok(a);
  assert.equal(await tryLock(f), undefined, 'held by a live owner (this process)');
  await a.release();
  assert.ok(!existsSync(f + LOCK_SUFFIX));
  const b = await tryLock(f);
  assert.ok(b);
  await b.release();
  rmSync(d, { recursive: true, force: true });
});

test('a lock left by a dead process is taken over; one from another host or a live pid is not', async () => {
  const d = dir();
  const f = join(d, 'file.log');
  writeFileSync(f + LOCK_SUFFIX, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'x' }));
  const taken = await tryLock(f);
  assert.ok(taken, 'stale lock broken');
  await taken.release();
  writeFileSync(f + LOCK_SUFFIX, JSON.stringify({ pid: deadPid(), host: 'some-other-host', token: 'x' }));
  assert.equal(await tryLock(f), undefined, 'cannot tell whether a process on another host lives');
  writeFileSync(f + LOCK_SUFFIX, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'x' }));
  assert.equal(await tryLock(f), undefined, 'the parent process is alive');
  // A reused pid: alive, but started at another time than the owner recorded.
  writeFileSync(f + LOCK_SUFFIX, JSON.stringify({ pid: process.ppid, host: hostname(), start: '1', token: 'x' }));
  const reused = await tryLock(f);
  if (existsSync(`/proc/${process.ppid}/stat`)) {
    assert.ok(reused, 'pid reuse detected by start time');
    await reused.release();
  } else assert.equal(reused, undefined);
  rmSync(d, { recursive: true, force: true });
});

test('ownerAlive table', () => {
  assert.equal(
    ownerAlive({ pid: process.pid, host: hostname(), token: 't' }),
    false,
    'this pid without its start time is not this process',
  );
  assert.equal(ownerAlive({ pid: deadPid(), host: hostname(), token: 't' }), false);
  assert.equal(ownerAlive({ pid: deadPid(), host: 'elsewhere', token: 't' }), true);
  assert.equal(ownerAlive({ pid: process.ppid, host: hostname(), token: 't' }), true);
});

test('an unreadable lock counts as stale only once it is old; a planted link is replaced, its target untouched', async () => {
  const d = dir();
  const f = join(d, 'file.log');
  writeFileSync(f + LOCK_SUFFIX, '');
  assert.equal(await tryLock(f), undefined, 'its creator may be writing it right now');
  // A minute older than the file system says it is (not Date.now(): lock ages are judged on the
  // file system's clock, src/fs-clock.ts, which libfaketime does not shift).
  const old = new Date(statSync(f + LOCK_SUFFIX).mtimeMs - 60_000);
  utimesSync(f + LOCK_SUFFIX, old, old);
  const l = await tryLock(f);
  assert.ok(l);
  await l.release();
  const target = join(d, 'target');
  writeFileSync(target, 'keep');
  symlinkSync(target, f + LOCK_SUFFIX);
  const l2 = await tryLock(f);
  assert.ok(l2);
  assert.equal(readFileSync(target, 'utf8'), 'keep');
  await l2.release();
  assert.deepEqual(readdirSync(d).sort(), ['target']);
  rmSync(d, { recursive: true, force: true });
});

test('release never removes a lock that is no longer ours', async () => {
  const d = dir();
  const f = join(d, 'file.log');
  const mine = await tryLock(f);
  assert.ok(mine);
  rmSync(f + LOCK_SUFFIX);
  writeFileSync(f + LOCK_SUFFIX, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'theirs' }));
  await mine.release();
  assert.match(readFileSync(f + LOCK_SUFFIX, 'utf8'), /theirs/);
  rmSync(d, { recursive: true, force: true });
});

test('waitLock waits for the holder, reports it once, and honours the abort signal', async () => {
  const d = dir();
  const f = join(d, 'file.log');
  const held = await tryLock(f);
  assert.ok(held);
  let told = 0;
  const waiting = waitLock(f, undefined, () => told++);
  setTimeout(() => void held.release(), 300);
  const got = await waiting;
  assert.equal(told, 1);
  const ac = new AbortController();
  const blocked = waitLock(f, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(blocked, /stop/);
  await got.release();
  rmSync(d, { recursive: true, force: true });
});

test('EndpointHealth: trips after N connection failures in a row lasting the minimum outage; bytes or HTTP answers do not count', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const busy = new TransientError('service answered 503', { status: 503, serviceCode: 'ServerBusy' });
  assert.equal(isConnectionFailure(refused), true);
  assert.equal(isConnectionFailure(busy), false);
  assert.equal(isConnectionFailure(new TransientError('network error ECONNRESET', { serviceCode: 'ECONNRESET' })), true);
  assert.equal(isConnectionFailure(new Error('bad')), false);

  const h = new EndpointHealth(3, 0, 'az://acct/c');
  h.failed(refused);
  h.failed(refused);
  h.ok();
  h.failed(refused);
  h.failed(busy);
  h.failed(refused);
  assert.equal(h.signal.aborted, false, 'a delivered byte resets the streak; a 503 neither counts nor resets');
  h.failed(refused);
  assert.equal(h.signal.aborted, true);
  assert.ok(h.error instanceof EndpointDownError);
  assert.match(h.error.message, /^gave up on az:\/\/acct\/c: 3 connection failures in a row over \d+ s$/);
  assert.equal(h.error.serviceCode, 'ECONNREFUSED');

  const slow = new EndpointHealth(2, 200, 'x');
  slow.failed(refused);
  slow.failed(refused);
  slow.failed(refused);
  assert.equal(slow.signal.aborted, false, 'a burst shorter than the minimum outage is survived');
  await new Promise((r) => setTimeout(r, 250));
  slow.failed(refused);
  assert.equal(slow.signal.aborted, true);
});

test('isFolderBlob: a trailing slash, or a zero-byte hdi_isfolder=true stub', () => {
  const cases: Array<[string, number, Record<string, string> | undefined, boolean]> = [
    ['logs/', 0, undefined, true],
    ['logs/', 5, undefined, true],
    ['logs/2026', 0, { hdi_isfolder: 'true' }, true],
    ['logs/2026', 0, { Hdi_IsFolder: 'TRUE' }, true],
    ['logs/2026', 0, { hdi_isfolder: 'false' }, false],
    ['logs/2026', 3, { hdi_isfolder: 'true' }, false],
    ['logs/empty.log', 0, undefined, false],
    ['logs/empty.log', 0, {}, false],
  ];
  for (const [name, size, md, want] of cases) assert.equal(isFolderBlob(name, size, md), want, `${name} ${size} ${JSON.stringify(md)}`);
});

test('PulledRecords: match only the same source, key, ETag, size, time and local size; survive a missing state dir', async () => {
  const d = dir();
  const r = new PulledRecords(join(d, 'dest'), 's3://b', join(d, 'state'));
  const o = { key: 'a/x.log', size: 10, lastModified: new Date('2026-01-05T00:00:00Z'), etag: 'e1' };
  assert.equal(await r.get('x.log'), undefined);
  await r.put('x.log', o, 10);
  const rec = await r.get('x.log');
  assert.ok(rec);
  assert.equal(r.matches(rec, o, 10), true);
  assert.equal(r.matches(rec, { ...o, key: 'b/x.log' }, 10), false);
  assert.equal(r.matches(rec, { ...o, etag: 'e2' }, 10), false);
  assert.equal(r.matches(rec, o, 11), false);
  assert.equal(new PulledRecords(join(d, 'dest'), 'az://a/c', join(d, 'state')).matches(rec, o, 10), false, 'another source');
  await r.drop('x.log');
  assert.equal(await r.get('x.log'), undefined);
  writeFileSync(join(d, 'blocker'), '');
  const broken = new PulledRecords(join(d, 'dest'), 's3://b', join(d, 'blocker', 'state'));
  await broken.put('x.log', o, 10); // must not throw
  assert.equal(await broken.get('x.log'), undefined);
  rmSync(d, { recursive: true, force: true });
});
