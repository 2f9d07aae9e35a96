/**
 * `archive completion bash|zsh|fish`: each script is valid for its shell, names every command,
 * alias and option of the live commander tree, and (for bash and fish, which can be driven without
 * a terminal) completes what a user would expect. zsh is only syntax-checked: exercising its
 * completion system needs a pseudo-terminal (zpty), which this suite does not drive.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, BIN } from './support/cli.js';
import { buildProgram } from '../src/cli.js';
import { processIo } from '../src/io.js';
import { describeProgram, type CmdSpec } from '../src/completion/spec.js';
import { KIND_NAMES } from '../src/layouts/kinds.js';

function has(prog: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${prog}`], { stdio: 'ignore' }).status === 0;
}

/** Top-level commands and their aliases (commander's `help` among them), as the program defines them. */
async function topLevel(): Promise<string[]> {
  const tree = describeProgram(await buildProgram(processIo()), { layout: [], auth: [], sasPurpose: [], probes: [], kinds: [] });
  return [...new Set(tree.subcommands.flatMap((c) => [c.name, ...c.aliases]))];
}

const LAYOUT_NAMES = ['vespa', 'cloudflare', 'amplitude', 'logzio', 'dated', 'generic'];

async function everything(): Promise<{ commands: string[]; options: string[] }> {
  const tree = describeProgram(await buildProgram(processIo()), { layout: [], auth: [], sasPurpose: [], probes: [], kinds: [] });
  const commands: string[] = [];
  const options: string[] = [];
  const go = (c: CmdSpec) => {
    commands.push(c.name, ...c.aliases);
    for (const o of c.options) if (o.long) options.push(o.long);
    c.subcommands.forEach(go);
  };
  go(tree);
  return { commands: [...new Set(commands)], options: [...new Set(options)] };
}

let dir: string;
const scripts: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archive-completion-'));
  for (const sh of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', sh]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    scripts[sh] = join(dir, `archive.${sh}`);
    await writeFile(scripts[sh], r.stdout);
  }
  // A saved profile, so location and profile-name completion have something to offer.
  const cfg = join(dir, 'config');
  const p = await runCli(['profile', 'add', 'vespa', 'az://acct/vespa-logs', '--auth', 'key', '--secret-stdin'], {
    env: { ARCHIVE_CONFIG_DIR: cfg },
    input: 'a2V5\n',
  });
  assert.equal(p.code, 0, p.stderr);
  await mkdir(join(dir, 'pulled-here'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('completion scripts', () => {
  for (const sh of ['bash', 'zsh', 'fish'] as const) {
    test(`${sh}: names every command, alias and option of the program`, async () => {
      const r = await runCli(['completion', sh]);
      const { commands, options } = await everything();
      for (const c of ['completion', 'pull', 'add', 'containers', 'buckets', 'ls'])
        assert.ok(commands.includes(c), `${c} not in the program tree: ${commands.join(' ')}`);
      // Whole words only: a substring check would find "ls" in any script.
      const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const word = (x: string) => new RegExp(`(^|[\\s'"(|={,*])${esc(x)}($|[\\s'")|=},\\[])`, 'm');
      for (const c of commands) assert.match(r.stdout, word(c), `${sh} script lacks command ${c}`);
      for (const o of options) assert.match(r.stdout, sh === 'fish' ? word(`-l ${o.slice(2)}`) : word(o), `${sh} script lacks option ${o}`);
    });

    test(`${sh}: the script is syntactically valid`, { skip: has(sh) ? false : `${sh} is not installed (apt-get install ${sh})` }, () => {
      const r = spawnSync(sh, ['-n', scripts[sh]], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    });
  }

  test('an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'powershell']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bash, zsh, fish/);
  });

  test('bash: commands, options, values, profiles and DEST complete', { skip: has('bash') ? false : 'bash is not installed' }, async () => {
    // Drives the completion function the way readline does, splitting words at ':' as
    // COMP_WORDBREAKS would.
    const harness = `
source ${JSON.stringify(scripts.bash)}
archive() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }
t() {
  COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}
  local -a w=() raw; read -ra raw <<< "$COMP_LINE"
  local x; for x in "\${raw[@]}"; do
    if [[ $x == *:* ]]; then w+=("\${x%%:*}" ":"); [[ -n \${x#*:} ]] && w+=("\${x#*:}"); else w+=("$x"); fi
  done
  [[ $COMP_LINE == *" " ]] && w+=("")
  COMP_WORDS=("\${w[@]}"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
  _archive
  echo "$1=>\${COMPREPLY[*]}"
}
cd ${JSON.stringify(dir)}
t "archive "
t "archive pu"
t "archive pull --layout "
t "archive pull -c 4 --since 2h vespa: pulled-"
t "archive profile "
t "archive profile show "
t "archive list "
t "archive list vespa:acme/ --kind "
t "archive validate --require "
t "archive completion "
`;
    const r = spawnSync('bash', ['-c', harness], {
      encoding: 'utf8',
      env: { ...process.env, ARCHIVE_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=>') as [string, string]),
    );
    const words = (line: string) => (got.get(line) ?? '').split(' ').filter(Boolean);
    assert.deepEqual(words('archive ').sort(), (await topLevel()).sort(), String(got.get('archive ')));
    assert.deepEqual(words('archive pu'), ['pull']);
    assert.deepEqual(words('archive pull --layout ').sort(), ['auto', ...LAYOUT_NAMES].sort());
    assert.deepEqual(words('archive pull -c 4 --since 2h vespa: pulled-'), ['pulled-here']);
    assert.deepEqual(words('archive profile ').sort(), ['add', 'help', 'list', 'ls', 'remove', 'rm', 'show', 'use']);
    assert.deepEqual(words('archive profile show '), ['vespa']);
    assert.ok(words('archive list ').includes('vespa:') && words('archive list ').includes('s3://'), String(got.get('archive list ')));
    assert.deepEqual(words('archive list vespa:acme/ --kind '), [...KIND_NAMES]);
    assert.deepEqual(words('archive validate --require ').sort(), ['all', 'challenge', 'delete', 'list', 'marker', 'read', 'write']);
    assert.deepEqual(words('archive completion '), ['bash', 'zsh', 'fish']);
  });

  test('fish: commands, options, values, profiles and DEST complete', {
    skip: has('fish') ? false : 'fish is not installed (apt-get install fish)',
  }, async () => {
    const harness = `
source ${JSON.stringify(scripts.fish)}
function archive; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} $argv; end
cd ${JSON.stringify(dir)}
for l in 'archive ' 'archive pu' 'archive pull --layout ' 'archive pull -c 4 vespa: pulled-' 'archive profile show ' 'archive list ' 'archive completion '
  echo "$l=>"(complete -C "$l" | string split -f1 \\t | string join ' ')
end
`;
    const r = spawnSync('fish', ['-c', harness], {
      encoding: 'utf8',
      env: { ...process.env, ARCHIVE_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=>') as [string, string]),
    );
    const words = (line: string) => (got.get(line) ?? '').split(' ').filter(Boolean);
    assert.deepEqual(words('archive ').sort(), (await topLevel()).sort(), String(got.get('archive ')));
    assert.deepEqual(words('archive pu'), ['pull']);
    assert.deepEqual(words('archive pull --layout ').sort(), ['auto', ...LAYOUT_NAMES].sort());
    assert.deepEqual(words('archive pull -c 4 vespa: pulled-'), ['pulled-here/']);
    assert.deepEqual(words('archive profile show '), ['vespa']);
    assert.ok(words('archive list ').includes('vespa:'), String(got.get('archive list ')));
    assert.deepEqual(words('archive completion ').sort(), ['bash', 'fish', 'zsh']);
  });
});
