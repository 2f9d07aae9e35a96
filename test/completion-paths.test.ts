/**
 * `PROFILE:<TAB>` completes to the folders under the profile's location, read with one delimiter
 * listing against the real emulators (Azurite and s3rver), through the generated bash and fish
 * scripts as a shell runs them, and `--kind <TAB>` offers the known kinds. A dead endpoint gives
 * no completions within the time-out instead of hanging the prompt.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { runCli, cleanEnv, BIN } from './support/cli.js';
import { startProvider, PROVIDERS, type ProviderFixture } from './support/providers.js';
import { AZURITE_KEY, S3RVER_SECRET } from './support/emulators.js';
import { KIND_NAMES } from '../src/layouts/kinds.js';

function has(prog: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${prog}`], { stdio: 'ignore' }).status === 0;
}

const KEYS = [
  'acme/search/prod/h1/logs/access/a.zst',
  'acme/search/prod/h2/logs/access/b.zst',
  'acme/shop/dev/h3/x.log',
  'acme/README.md',
  'other/y.log',
  'top.txt',
];

for (const name of PROVIDERS) {
  describe(`completion of PROFILE:PATH (${name})`, () => {
    let p: ProviderFixture;
    let dir: string;
    let env: Record<string, string>;
    const scripts: Record<string, string> = {};

    before(async () => {
      p = await startProvider(name);
      dir = await mkdtemp(join(tmpdir(), 'archive-complete-'));
      await p.seed(
        'logs',
        KEYS.map((key) => ({ key, body: 'x' })),
      );
      env = { ...p.env, ARCHIVE_CONFIG_DIR: join(dir, 'config') };
      // A key profile on either emulator, its secret on stdin.
      const addProfile = (profile: string, container: string, prefix = '') =>
        name === 'azure'
          ? runCli(['profile', 'add', profile, p.loc(container, prefix), '--auth', 'key', '--secret-stdin'], {
              env,
              input: `${AZURITE_KEY}\n`,
            })
          : runCli(
              [
                'profile',
                'add',
                profile,
                `s3://${container}${prefix ? `/${prefix}` : ''}`,
                '--auth',
                'keys',
                '--access-key-id',
                'S3RVER',
                '--secret-stdin',
                '--endpoint',
                (p.emu as { endpoint: string }).endpoint,
                '--region',
                'us-east-1',
              ],
              { env, input: S3RVER_SECRET },
            );
      const add = await addProfile('arch', 'logs');
      assert.equal(add.code, 0, add.stderr);
      // A second profile under a prefix: completions are relative to the profile's own prefix.
      const sub = await addProfile('acme', 'logs', 'acme');
      assert.equal(sub.code, 0, sub.stderr);
      for (const sh of ['bash', 'fish']) {
        const r = await runCli(['completion', sh]);
        assert.equal(r.code, 0, r.stderr);
        scripts[sh] = join(dir, `archive.${sh}`);
        await writeFile(scripts[sh], r.stdout);
      }
    });
    after(async () => {
      await p?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('the hidden command: one level of folders below what was typed, relative to the profile', async () => {
      const cases: [string, string[]][] = [
        ['arch:', ['arch:acme/', 'arch:other/']],
        ['arch:a', ['arch:acme/']],
        ['arch:acme/', ['arch:acme/search/', 'arch:acme/shop/']],
        ['arch:acme/se', ['arch:acme/search/']],
        ['arch:acme/search/prod/', ['arch:acme/search/prod/h1/', 'arch:acme/search/prod/h2/']],
        ['arch:nothing/', []],
        ['acme:', ['acme:search/', 'acme:shop/']],
        ['acme:shop/', ['acme:shop/dev/']],
        ['nosuchprofile:', []],
        ['s3://logs/', []],
      ];
      for (const [word, want] of cases) {
        const r = await runCli(['__complete-location', word], { env });
        assert.equal(r.code, 0, `${word}: ${r.stderr}`);
        assert.equal(r.stderr, '', word);
        assert.deepEqual(r.stdout.split('\n').filter(Boolean), want, word);
      }
    });

    test('bash: PROFILE:<TAB> offers folders (after the colon, as readline replaces), --kind <TAB> the kinds', {
      skip: has('bash') ? false : 'bash is not installed',
    }, () => {
      const harness = `
source ${JSON.stringify(scripts.bash)}
t() {
  COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}
  local -a w=() raw; read -ra raw <<< "$COMP_LINE"
  local x; for x in "\${raw[@]}"; do
    if [[ $x == *:* ]]; then w+=("\${x%%:*}" ":"); [[ -n \${x#*:} ]] && w+=("\${x#*:}"); else w+=("$x"); fi
  done
  [[ $COMP_LINE == *" " ]] && w+=("")
  COMP_WORDS=("\${w[@]}"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
  COMP_WORDS[0]=archive
  _archive
  echo "$1=>\${COMPREPLY[*]}"
}
archive() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }
t "archive list arch:"
t "archive pull arch:acme/s"
t "archive cat acme:search/prod/"
t "archive list arch: --kind "
`;
      const r = spawnSync('bash', ['-c', harness], { encoding: 'utf8', env: cleanEnv(env) });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const got = new Map(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('=>') as [string, string]),
      );
      const words = (line: string) => (got.get(line) ?? '').split(' ').filter(Boolean);
      assert.deepEqual(words('archive list arch:'), ['acme/', 'other/']);
      assert.deepEqual(words('archive pull arch:acme/s'), ['acme/search/', 'acme/shop/']);
      assert.deepEqual(words('archive cat acme:search/prod/'), ['search/prod/h1/', 'search/prod/h2/']);
      assert.deepEqual(words('archive list arch: --kind '), [...KIND_NAMES]);
    });

    test('fish: PROFILE:<TAB> offers the folders as whole words', {
      skip: has('fish') ? false : 'fish is not installed (apt-get install fish)',
    }, () => {
      const harness = `
source ${JSON.stringify(scripts.fish)}
function archive; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} $argv; end
for l in 'archive list arch:' 'archive pull arch:acme/s' 'archive list --kind he'
  echo "$l=>"(complete -C "$l" | string split -f1 \\t | string join ' ')
end
`;
      const r = spawnSync('fish', ['-c', harness], { encoding: 'utf8', env: cleanEnv(env) });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const got = new Map(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('=>') as [string, string]),
      );
      const words = (line: string) => (got.get(line) ?? '').split(' ').filter(Boolean);
      assert.deepEqual(words('archive list arch:'), ['arch:acme/', 'arch:other/']);
      assert.deepEqual(words('archive pull arch:acme/s'), ['arch:acme/search/', 'arch:acme/shop/']);
      assert.deepEqual(words('archive list --kind he'), ['heapdump']);
    });
  });
}

test('an endpoint that never answers gives no completion, within the time-out and silently', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'archive-complete-dead-'));
  // Accepts connections and never answers: the completion must give up on its own time-out.
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const env = { ARCHIVE_CONFIG_DIR: join(dir, 'config') };
    const add = await runCli(
      [
        'profile',
        'add',
        'dead',
        's3://hung-bucket',
        '--auth',
        'keys',
        '--access-key-id',
        'K',
        '--secret-stdin',
        '--endpoint',
        `http://127.0.0.1:${port}`,
        '--region',
        'us-east-1',
      ],
      {
        env,
        input: 'S',
      },
    );
    assert.equal(add.code, 0, add.stderr);
    const started = Date.now();
    const r = await runCli(['__complete-location', 'dead:'], { env });
    const took = Date.now() - started;
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.ok(sockets.length >= 1, 'the completion did try the endpoint');
    assert.ok(took < 8_000, `took ${took} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
