/**
 * Packaging: `npm pack` on a clean copy of the sources (no dist/, so `prepack` must build it)
 * gives a tarball of compiled JavaScript only, which installs with runtime dependencies alone —
 * globally into a temp prefix and into a temp project (`npx archive`) — and runs against Azurite
 * and s3rver. Dependencies come from the npm registry (or npm's cache); this takes about a minute.
 *
 * The one runtime dependency is DuckDB (`@duckdb/node-api`, a native package esbuild cannot
 * bundle); everything else is in dist/. Without its native binary every other command works.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { ROOT, cleanEnv, GUARD_PRELOAD } from './support/cli.js';
import { startAzurite, startS3rver, type AzuriteEmulator, type S3Emulator } from './support/emulators.js';
import { seedAzure, seedS3 } from './support/seed.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** DuckDB's packages as npm installs them here: the API, its bindings, this platform's binary and detect-libc. */
const DUCKDB_TREE = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  `@duckdb/node-bindings-${process.platform}-${process.arch}`,
  'detect-libc',
].sort();

/** Package names installed in a node_modules folder (scoped ones as @scope/name). */
function packagesIn(dir: string): string[] {
  const names: string[] = [];
  for (const d of readdirSync(dir)) {
    if (d.startsWith('.')) continue;
    if (d.startsWith('@')) for (const s of readdirSync(join(dir, d))) names.push(`${d}/${s}`);
    else names.push(d);
  }
  return names.sort();
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * npm's environment: the user's npm config (registry, cache, CA bundle, proxy) but none of their
 * cloud credentials. npm itself must reach the registry, so the loopback guard is not preloaded
 * into it (nor into what `npx` starts); the `archive` runs below use archiveEnv, which has it.
 */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(extra);
  env.HOME = process.env.HOME;
  env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').replace(GUARD_PRELOAD, '').trim() || undefined;
  for (const k of ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'])
    if (process.env[k] && !(k in extra)) env[k] = process.env[k];
  // Under `npx -p node@24 node --test …` (how `npm test` runs the suite on Node 24) these name the
  // package that outer npx ran; an inner `npx archive` would then try to install node@24.
  for (const k of Object.keys(env))
    if (/^npm_(config_package|config_call|config_yes|command|lifecycle_|execpath|node_execpath|package_)/.test(k)) delete env[k];
  // Keep npm quiet and off the network where its cache already has the packages.
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  env.npm_config_prefer_offline = 'true';
  return env;
}

/** For the installed `archive` itself: hermetic, loopback guard on. */
function archiveEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv(extra);
}

describe('npm pack', () => {
  let work: string;
  let tgz: string;
  let packed: { files: Array<{ path: string; mode: number }>; name: string; version: string };
  let azurite: AzuriteEmulator;
  let s3: S3Emulator;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'archive-pack-'));
    // A clean checkout's view: sources only, no dist/ (node_modules shared read-only by symlink).
    const src = join(work, 'src-copy');
    await mkdir(src);
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'bin',
      'scripts',
      'src',
      'patches',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]) {
      if (existsSync(join(ROOT, f))) await cp(join(ROOT, f), join(src, f), { recursive: true });
    }
    await symlink(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
    const out = join(work, 'out');
    await mkdir(out);
    const r = await run(NPM, ['pack', '--json', '--pack-destination', out], { cwd: src, env: npmEnv() });
    assert.equal(r.code, 0, `npm pack failed:\n${r.stdout}\n${r.stderr}`);
    // Lifecycle scripts (prepack, prepare) print to the same stdout before the JSON.
    const json = r.stdout.slice(r.stdout.search(/^\[/m));
    packed = (JSON.parse(json) as Array<typeof packed & { filename: string }>)[0];
    tgz = join(out, (packed as unknown as { filename: string }).filename);
    [azurite, s3] = await Promise.all([startAzurite({ inMemory: true }), startS3rver()]);
    const keys = [
      'acme/search/prod/h1.example/logs/access/JsonAccessLog.default.20260105170001.zst',
      'http_requests/20260105/20260105T170000Z_20260105T170500Z_0a1b2c3d.log.gz',
    ];
    await seedAzure(
      azurite,
      'logs',
      keys.map((key) => ({ key, body: 'x' })),
    );
    await seedS3(s3, 'logzio-archive', [
      { key: 'logzio-verified', body: '' },
      { key: '123456/2026/01/05/17/a.json.gz', body: 'x' },
    ]);
  });
  after(async () => {
    await Promise.allSettled([azurite?.stop(), s3?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  test('the tarball holds compiled JS, the launcher and docs — no TypeScript, tests or patches', async () => {
    const paths = packed.files.map((f) => f.path).sort();
    assert.ok(paths.includes('bin/archive.js'), paths.join('\n'));
    assert.ok(paths.includes('dist/main.js'), 'prepack built dist/');
    assert.ok(paths.includes('package.json'));
    for (const doc of ['README.md', 'CHANGELOG.md'])
      if (existsSync(join(ROOT, doc))) assert.ok(paths.includes(doc), `${doc} is not packed`);
    assert.deepEqual(
      paths.filter((p) => /\.(ts|mts|cts|tsx)$/.test(p) || /^(src|test|patches)\//.test(p) || p === 'tsconfig.json'),
      [],
    );
    assert.equal(packed.files.find((f) => f.path === 'bin/archive.js')!.mode & 0o111, 0o111, 'the launcher is executable');
    // dist/ is one esbuild bundle: every file in it is reachable from main.js through its imports
    // (nothing stale from an old build), and the SDKs are separate chunks loaded on demand.
    const dist = paths.filter((x) => x.startsWith('dist/'));
    const reached = new Set<string>();
    const visit = async (p: string): Promise<void> => {
      // (Bundled libraries' own text mentions other ./*.js names; only packed files count.)
      if (reached.has(p) || !dist.includes(p)) return;
      reached.add(p);
      const text = await readFile(join(work, 'src-copy', p), 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*["']\.\/([\w.-]+\.js)["']/g)) await visit(`dist/${m[1]}`);
    };
    await visit('dist/main.js');
    assert.deepEqual(
      dist.filter((p) => p.endsWith('.js') && !reached.has(p)),
      [],
      'files in dist/ that nothing imports',
    );
    // Source maps (for --verbose stacks) only beside their chunk, one per chunk.
    assert.deepEqual(dist.filter((p) => !p.endsWith('.js')).sort(), [...reached].map((p) => `${p}.map`).sort());
    const main = await readFile(join(work, 'src-copy', 'dist/main.js'), 'utf8');
    assert.doesNotMatch(main, /BlobServiceClient|S3Client/, 'an SDK is in the start-up chunk');
    // DuckDB is never bundled and only ever imported dynamically (inside `query`'s action).
    for (const p of dist.filter((x) => x.endsWith('.js'))) {
      const text = await readFile(join(work, 'src-copy', p), 'utf8');
      assert.doesNotMatch(text, /from\s*["']@duckdb\/|require\(["']@duckdb\//, `${p} imports DuckDB statically`);
      assert.doesNotMatch(text, /duckdb_bind|DuckDBInstance\s*=\s*class/, `${p} bundles DuckDB`);
    }
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
      engines: { node: string };
      dependencies?: Record<string, string>;
    };
    assert.deepEqual(manifest.dependencies, { '@duckdb/node-api': '1.5.6-r.1' }, 'exactly one runtime dependency, pinned');
    assert.equal(manifest.bin.archive, 'bin/archive.js');
    assert.ok(manifest.engines.node.startsWith('>=20'));
  });

  test('installs globally into a temp prefix with DuckDB as its only dependency, and runs', async () => {
    const prefix = join(work, 'prefix');
    // --foreground-scripts: were any lifecycle script (e.g. `prepare: patch-package`) run, its
    // failure would show and fail the install.
    const inst = await run(NPM, ['install', '-g', '--prefix', prefix, '--foreground-scripts', tgz], { cwd: work, env: npmEnv() });
    assert.equal(inst.code, 0, `npm install -g failed:\n${inst.stdout}\n${inst.stderr}`);
    assert.doesNotMatch(inst.stdout + inst.stderr, /patch-package: not found|ERR!/);
    const pkgDir = join(prefix, process.platform === 'win32' ? '' : 'lib', 'node_modules', 'archive-cli');
    // The bundle carries the exact library versions it was tested with: npm installs nothing but DuckDB.
    assert.deepEqual(await readdir(join(prefix, 'lib', 'node_modules')), ['archive-cli']);
    assert.deepEqual(packagesIn(join(pkgDir, 'node_modules')), DUCKDB_TREE, 'dependencies beside the bundle');
    const shipped = (await readdir(pkgDir, { recursive: true })).map(String).filter((p) => !p.startsWith('node_modules'));
    assert.deepEqual(
      shipped.filter((p) => /\.(ts|mts|cts)$/.test(p)),
      [],
    );

    // As a user would: `archive` found on PATH, node from PATH via the shebang.
    const env = archiveEnv({
      PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(process.platform === 'win32' ? ';' : ':'),
    });
    const version = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version as string;
    const v = await run('archive', ['--version'], { cwd: work, env });
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.split('\n')[0], `archive ${version}`);

    const list = await run('archive', ['list', `${azurite.serviceUrl}/logs`, '--ndjson'], {
      cwd: work,
      env: { ...env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    });
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; layout: string });
    assert.deepEqual(rows.map((r) => r.layout).sort(), ['cloudflare', 'vespa']);
    assert.equal(list.stderr, '');

    // The S3 SDK loads from the installed tree too, without its Node-version warning on stderr.
    const s3list = await run('archive', ['list', 's3://logzio-archive', '--json'], { cwd: work, env: { ...env, ...s3.env } });
    assert.equal(s3list.code, 0, s3list.stderr);
    assert.equal((JSON.parse(s3list.stdout) as { count: number }).count, 2);
    assert.equal(s3list.stderr, '');

    const comp = await run('archive', ['completion', 'bash'], { cwd: work, env });
    assert.equal(comp.code, 0, comp.stderr);
    assert.match(comp.stdout, /complete -F _archive archive/);

    const azEnv = { ...env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    const q = await run(
      'archive',
      ['query', `${azurite.serviceUrl}/logs`, '--layout', 'generic', '--include', '*.json', '--csv', 'SELECT 42 AS answer'],
      { cwd: work, env: azEnv },
    );
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout, 'answer\n42\n');
    assert.equal(q.stderr, 'archive: no objects match the location and filters: the result is empty\n');

    // Where DuckDB's native binary is missing (an unsupported platform, --omit=optional), only
    // `query` fails, with a hint; --help, list and the rest never load it.
    await rm(join(pkgDir, 'node_modules', '@duckdb', `node-bindings-${process.platform}-${process.arch}`), {
      recursive: true,
      force: true,
    });
    const started = performance.now();
    const help = await run('archive', ['--help'], { cwd: work, env });
    const helpMs = performance.now() - started;
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^ {2}query\b/m);
    assert.equal(help.stderr, '');
    // Generous for a loaded 2-core machine; loading DuckDB alone would fail, not just be slow.
    assert.ok(helpMs < 5000, `--help took ${helpMs.toFixed(0)} ms`);
    const list2 = await run('archive', ['list', `${azurite.serviceUrl}/logs`, '--ndjson'], { cwd: work, env: azEnv });
    assert.equal(list2.code, 0, list2.stderr);
    assert.equal(list2.stdout, list.stdout);
    const qhelp = await run('archive', ['query', '--help'], { cwd: work, env });
    assert.equal(qhelp.code, 0, qhelp.stderr);
    const broken = await run('archive', ['query', `${azurite.serviceUrl}/logs`, 'SELECT 1'], { cwd: work, env: azEnv });
    assert.equal(broken.code, 1);
    assert.equal(broken.stdout, '');
    const lines = broken.stderr.split('\n');
    assert.match(lines[0]!, /^archive: the query engine \(DuckDB, @duckdb\/node-api\) could not be loaded: .*node-bindings/);
    assert.equal(
      lines.slice(1).join('\n'),
      'hint: reinstall archive with its dependencies (`npm install -g archive-cli`, without --omit=optional/--ignore-scripts); `archive query` needs a platform DuckDB supports (linux/macOS/windows, x64/arm64)\n',
    );
  });

  test('installs into a project and runs with npx', async () => {
    const proj = join(work, 'project');
    await mkdir(proj);
    await writeFile(join(proj, 'package.json'), JSON.stringify({ name: 'uses-archive', version: '1.0.0', private: true }));
    const inst = await run(NPM, ['install', '--foreground-scripts', tgz], { cwd: proj, env: npmEnv() });
    assert.equal(inst.code, 0, `npm install failed:\n${inst.stdout}\n${inst.stderr}`);
    assert.deepEqual(
      packagesIn(join(proj, 'node_modules')),
      ['archive-cli', ...DUCKDB_TREE].sort(),
      'npm installed more than the bundle and DuckDB',
    );
    const env = npmEnv({ PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(':') });
    const help = await run('npx', ['--no-install', 'archive', '--help'], { cwd: proj, env });
    assert.equal(help.code, 0, help.stderr);
    for (const c of ['containers', 'list', 'pull', 'cat', 'query', 'validate', 'profile', 'sas', 'completion'])
      assert.match(help.stdout, new RegExp(`^  ${c}\\b`, 'm'));
    const list = await run('npx', ['--no-install', 'archive', 'containers', azurite.serviceUrl], {
      cwd: proj,
      env: { ...env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\blogs$/m);
    assert.ok((await stat(join(proj, 'node_modules', '.bin', 'archive'))).isFile());
  });
});
