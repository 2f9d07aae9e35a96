/**
 * "Expiring soon" relative to a token's lifetime: a short-lived reader token (what
 * `sas create --for reader` makes) is not "within 30 days: plan its renewal" on its first day.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSas } from '../src/sas/parse.js';
import { inspectSas } from '../src/sas/inspect.js';

const token = (st: string, se: string) =>
  parseSas(
    `https://acct.blob.core.windows.net/logs?sv=2025-05-05&st=${encodeURIComponent(st)}&se=${encodeURIComponent(se)}&sr=c&sp=rl&spr=https&sig=S1GNATURE`,
  );

test('a 7-day token: quiet on day 1, warned in its last fifth (1.4 days), with its lifetime named', () => {
  const info = token('2026-01-05T00:00:00Z', '2026-01-12T00:00:00Z');
  assert.deepEqual(inspectSas(info, { now: new Date('2026-01-06T00:00:00Z') }).warnings, []);
  assert.deepEqual(inspectSas(info, { now: new Date('2026-01-10T12:00:00Z') }).warnings, []);
  const late = inspectSas(info, { now: new Date('2026-01-11T00:00:00Z') }).warnings;
  assert.deepEqual(late, [{ code: 'expiring', message: 'expires in 1d 0h (in the last fifth of its 7d 0h lifetime): plan its renewal' }]);
});

test('a long-lived token (or one without a start): --warn-days applies as before', () => {
  const long = token('2026-01-05T00:00:00Z', '2031-01-05T00:00:00Z');
  assert.deepEqual(
    inspectSas(long, { now: new Date('2030-12-20T00:00:00Z') }).warnings.map((w) => w.message),
    ['expires in 16d 0h (within 30 days): plan its renewal'],
  );
  const noStart = parseSas('https://acct.blob.core.windows.net/logs?sv=2025-05-05&se=2026-01-12T00%3A00%3A00Z&sr=c&sp=rl&sig=S1GNATURE');
  assert.deepEqual(
    inspectSas(noStart, { now: new Date('2026-01-06T00:00:00Z') }).warnings.map((w) => w.code),
    ['expiring'],
  );
});
