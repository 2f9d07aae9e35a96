/**
 * The CLI's outer surface: --version, colour switches (NO_COLOR, FORCE_COLOR, --no-color) and
 * examples in every command's --help.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './support/cli.js';

const ESC = /\x1b\[/;

describe('cli surface', () => {
  let cfg: string;
  before(async () => {
    cfg = await mkdtemp(join(tmpdir(), 'archive-surface-'));
  });
  after(async () => rm(cfg, { recursive: true, force: true }));

  test('--version and -V print the package version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), version);
    }
  });

  // An error that needs no network: a profile that does not exist.
  const failing = ['list', 'nosuchprofile:'];
  const env = (extra: Record<string, string | undefined>) => ({ ARCHIVE_CONFIG_DIR: cfg, NO_COLOR: undefined, FORCE_COLOR: undefined, ...extra });

  test('off a terminal there is no colour by default', async () => {
    const r = await runCli(failing, { env: env({}) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^archive: unknown profile "nosuchprofile"/m);
    assert.doesNotMatch(r.stderr, ESC);
  });

  test('FORCE_COLOR=1 colours the error and hint even when piped', async () => {
    const r = await runCli(failing, { env: env({ FORCE_COLOR: '1' }) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\x1b\[31marchive:\x1b\[39m unknown profile/);
    assert.match(r.stderr, /\x1b\[33mhint:\x1b\[39m /);
  });

  test('NO_COLOR wins over FORCE_COLOR; FORCE_COLOR=0 and --no-color turn colour off', async () => {
    for (const [extra, args] of [
      [{ NO_COLOR: '1', FORCE_COLOR: '1' }, failing],
      [{ FORCE_COLOR: '0' }, failing],
      [{ FORCE_COLOR: '1' }, ['--no-color', ...failing]],
      [{ FORCE_COLOR: '1' }, [...failing, '--no-color']],
    ] as Array<[Record<string, string>, string[]]>) {
      const r = await runCli(args, { env: env(extra) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^archive: unknown profile/m, JSON.stringify(extra));
      assert.doesNotMatch(r.stderr, ESC, `${JSON.stringify(extra)} ${args.join(' ')}`);
    }
  });

  test('NO_COLOR set but empty does not count (no-color.org)', async () => {
    const r = await runCli(failing, { env: env({ NO_COLOR: '', FORCE_COLOR: '1' }) });
    assert.match(r.stderr, ESC);
  });

  test('every command group and command with arguments shows examples in --help', async () => {
    for (const cmd of ['containers', 'list', 'profile', 'profile add', 'sas', 'sas inspect', 'sas create', 'validate', 'pull', 'cat', 'completion']) {
      const r = await runCli([...cmd.split(' '), '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Examples:\n {2}\S/m, `archive ${cmd} --help has no examples`);
    }
  });
});
