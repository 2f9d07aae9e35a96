/**
 * Issue #10 item 10 (the smaller ones), through the spawned CLI:
 *   SIGTERM exits 143 (SIGINT stays 130), documented in `archive --help`;
 *   a read-only config directory names the directory and the ARCHIVE_CONFIG_DIR way out (exit 3);
 *   a profiles.json that is a symlink is written through to its target (the link survives);
 *   a dangling profiles.json link is refused (exit 2) without creating anything.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { startProvider, type ProviderFixture } from './support/providers.js';
import { startFaultProxy } from './support/fault-proxy.js';

const SECRET = 'not-a-real-secret-0123456789';
const addArgs = (name: string) => [
  'profile',
  'add',
  name,
  's3://bucket/p',
  '--auth',
  'keys',
  '--access-key-id',
  'AKIDEXAMPLE',
  '--secret-stdin',
  '--endpoint',
  'http://127.0.0.1:9',
  '--region',
  'eu-west-1',
];

describe('signals', () => {
  let p: ProviderFixture;
  before(async () => {
    p = await startProvider('azure');
    await p.seed('sig', [{ key: 'big.log', body: randomBytes(8 * 1024 * 1024) }]);
  });
  after(async () => p?.stop());

  for (const [sig, code, line] of [
    ['SIGTERM', 143, 'archive: terminated by SIGTERM'],
    ['SIGINT', 130, 'archive: interrupted'],
  ] as const) {
    test(`${sig} mid-cat exits ${code} with "${line}"`, async () => {
      // A slow body keeps the run busy; the signal is sent once bytes are flowing (an event, not a sleep).
      const proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 512 * 1024 });
      try {
        const v = p.via(proxy.url);
        const child = spawn(process.execPath, [BIN, 'cat', '--raw', v.loc('sig')], {
          env: cleanEnv(v.env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
        child.stdout.resume();
        child.kill(sig);
        const exit = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        assert.equal(exit, code, err);
        assert.equal(err, `${line}\n`);
      } finally {
        await proxy.close();
      }
    });
  }

  test('--help documents 143', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^Exit codes: 0 ok, 1 unexpected, 2 usage, 3 auth\/permission, 4 not found, 5 partial failure, 6 check failed \(freshness\), 130 interrupted \(Ctrl-C\), 143 terminated \(SIGTERM\)$/m,
    );
  });
});

describe('config directory', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'archive-cfg-'));
    await chmod(root, 0o755);
  });
  after(async () => rm(root, { recursive: true, force: true }));

  test('read-only config dir: names the directory and ARCHIVE_CONFIG_DIR, exit 3, nothing written', async (t) => {
    // Root may write anywhere, so the CLI runs as an unprivileged user (nobody) via setpriv.
    const isRoot = process.getuid?.() === 0;
    if (isRoot && spawnSync('setpriv', ['--version']).status !== 0) return t.skip('running as root and setpriv is not available');
    const dir = join(root, 'ro');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o555);
    const env = cleanEnv({ ARCHIVE_CONFIG_DIR: dir, HOME: root });
    const cmd = isRoot ? 'setpriv' : process.execPath;
    const args = [...(isRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : []), BIN, ...addArgs('ro')];
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(`${SECRET}\n`);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    assert.equal(code, 3, err);
    assert.equal(
      err,
      `archive: cannot save profiles: the config directory ${dir} is not writable (EACCES)\n` +
        `hint: make it writable (\`chmod u+w ${dir}\`), or point ARCHIVE_CONFIG_DIR at a directory you can write, e.g. \`export ARCHIVE_CONFIG_DIR=$HOME/.config/archive\`\n`,
    );
    assert.equal(out, '');
    assert.deepEqual(await readdir(dir), []);
  });

  test('profiles.json that is a symlink: written through to its target, the link stays a link', async () => {
    const cfg = join(root, 'linked');
    const dotfiles = join(root, 'dotfiles');
    await mkdir(cfg, { mode: 0o700 });
    await mkdir(dotfiles, { mode: 0o700 });
    const targetFile = join(dotfiles, 'archive-profiles.json');
    await symlink(targetFile, join(cfg, 'profiles.json'));
    const env = { ARCHIVE_CONFIG_DIR: cfg };
    // The link dangles: the first add must be refused rather than create a secrets file there.
    const dangling = await runCli(addArgs('one'), { env, input: `${SECRET}\n` });
    assert.equal(dangling.code, 2, dangling.stderr);
    assert.equal(
      dangling.stderr,
      `archive: ${join(cfg, 'profiles.json')} is a symlink to ${targetFile}, which does not exist\n` +
        `hint: create the target (\`touch ${targetFile} && chmod 600 ${targetFile}\`), or remove the link to keep profiles in ${cfg}\n`,
    );
    assert.deepEqual((await readdir(dotfiles)).sort(), []);
    assert.deepEqual((await readdir(cfg)).sort(), ['profiles.json']);

    // With the target present (as a dotfiles manager leaves it), adds go through the link.
    await import('node:fs/promises').then((fs) => fs.writeFile(targetFile, JSON.stringify({ version: 1, profiles: {} }), { mode: 0o600 }));
    for (const name of ['one', 'two']) {
      const r = await runCli(addArgs(name), { env, input: `${SECRET}\n` });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.ok((await lstat(join(cfg, 'profiles.json'))).isSymbolicLink(), 'the link was not replaced by a regular file');
    assert.equal(await readlink(join(cfg, 'profiles.json')), targetFile);
    const stored = JSON.parse(await readFile(targetFile, 'utf8'));
    assert.deepEqual(Object.keys(stored.profiles).sort(), ['one', 'two']);
    assert.equal((await stat(targetFile)).mode & 0o777, 0o600);
    // No temp or lock files left on either side of the link.
    assert.deepEqual((await readdir(dotfiles)).sort(), ['archive-profiles.json']);
    assert.deepEqual((await readdir(cfg)).sort(), ['profiles.json']);
    const list = await runCli(['profile', 'list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\bone\b[\s\S]*\btwo\b/);
  });
});
