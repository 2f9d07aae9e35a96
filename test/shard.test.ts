/**
 * --shard i/n splits one listing into n balanced, disjoint shards that together hold every object
 * once: pure tests of the assigner (the pull suites run real sharded pulls against the emulators).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardAssigner } from '../src/pull/plan.js';
import type { Entry } from '../src/filter.js';

function entry(key: string, size: number, partition?: string): Entry {
  const t = new Date('2026-01-05T00:00:00Z');
  return { key, size, lastModified: t, time: t, timeSource: 'modified', facts: { layout: 'generic', partition } };
}

test('12 equal objects over 4 shards: 3 each (a key hash gave 1/6/0/5), every object once', () => {
  const entries = Array.from({ length: 12 }, (_, i) => entry(`logs/file-${i}.log`, 1000));
  const of = shardAssigner(entries, 4);
  const counts = [0, 0, 0, 0];
  for (const e of entries) counts[of(e)]++;
  assert.deepEqual(counts, [3, 3, 3, 3]);
});

test('bytes balanced: largest first to the lightest shard; deterministic whatever the listing order', () => {
  const sizes = [900, 100, 500, 400, 300, 300, 200, 200, 100, 50];
  const entries = sizes.map((s, i) => entry(`k${i}`, s));
  const of = shardAssigner(entries, 3);
  const load = [0, 0, 0];
  for (const e of entries) load[of(e)] += e.size;
  assert.equal(
    load.reduce((a, b) => a + b),
    3050,
  );
  assert.ok(Math.max(...load) - Math.min(...load) <= 100, `loads ${load}`);
  const shuffled = shardAssigner([...entries].reverse(), 3);
  for (const e of entries) assert.equal(shuffled(e), of(e), e.key);
});

test('copies of one partition share a shard (so --dedupe drops within a worker)', () => {
  const entries = [entry('a1', 10, 'p1'), entry('a2', 12, 'p1'), entry('b', 10, 'p2'), entry('c', 10, 'p3')];
  const of = shardAssigner(entries, 2);
  assert.equal(of(entries[0]), of(entries[1]));
});
