import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { keyToRelativePath, prefixDir, prepareDestination } from '../src/pull/safe-path.js';
import { ArchiveError } from '../src/errors.js';

test('keys map to relative paths that cannot climb out', () => {
  const cases: Array<[string, string]> = [
    ['a/b/c.log', 'a/b/c.log'],
    ['../x', '%2E%2E/x'],
    ['a/../../x', 'a/%2E%2E/%2E%2E/x'],
    ['/etc/passwd', 'etc/passwd'],
    ['//a///b', 'a/b'],
    ['b\\..\\..\\x', 'b/%2E%2E/%2E%2E/x'],
    ['nul\u0000byte', 'nul%00byte'],
    ['tab\there\u007f', 'tab%09here%7F'],
    ['100%', '100%25'],
    ['./.', '%2E/%2E'],
    ['/', '%2F'],
  ];
  for (const [key, want] of cases) {
    const got = keyToRelativePath(key);
    assert.equal(got, want.split('/').join(sep), key);
    const full = resolve('/dest', got);
    assert.ok(full.startsWith('/dest/'), `${key} → ${full}`);
  }
});

test('over-long segments are shortened with a hash, stay unique', () => {
  const a = keyToRelativePath(`d/${'x'.repeat(300)}a`);
  const b = keyToRelativePath(`d/${'x'.repeat(300)}b`);
  assert.notEqual(a, b);
  for (const seg of a.split(sep)) assert.ok(Buffer.byteLength(seg) <= 240);
});

test('prefix and flatten', () => {
  assert.equal(keyToRelativePath('logs/2026/a.gz', { stripPrefix: prefixDir('logs/20') }), '2026/a.gz');
  assert.equal(keyToRelativePath('logs/2026/a.gz', { flatten: true }), 'a.gz');
  assert.equal(prefixDir('a/b/c'), 'a/b/');
  assert.equal(prefixDir('abc'), '');
});

test('prepareDestination refuses links out of DEST and creates nothing outside', async () => {
  const base = mkdtempSync(join(tmpdir(), 'safe-'));
  const dest = join(base, 'dest');
  const outside = join(base, 'outside');
  mkdirSync(dest);
  mkdirSync(outside);
  symlinkSync(outside, join(dest, 'link'));
  mkdirSync(join(dest, 'inside'));
  symlinkSync(join(dest, 'inside'), join(dest, 'ok-link'));
  await assert.rejects(
    prepareDestination(dest, join('link', 'deep', 'f.txt')),
    (e: unknown) => e instanceof ArchiveError && e.serviceCode === 'UnsafePath',
  );
  assert.deepEqual(readdirSync(outside), []);
  const p = await prepareDestination(dest, join('ok-link', 'f.txt'));
  assert.ok(p.endsWith(join('ok-link', 'f.txt')));
  await assert.rejects(prepareDestination(dest, '../x'), (e: unknown) => e instanceof ArchiveError);
  assert.ok(!existsSync(join(base, 'x')));
});
