/**
 * `archive pull`'s progress as a person sees it, end to end against Azurite behind a slow proxy
 * (so the pull takes seconds and the line redraws many times): on a terminal of 80 and 120 columns
 * (ARCHIVE_FORCE_TTY=1 + COLUMNS, and once through a real pseudo-terminal made by `script`), after
 * Ctrl-C and a re-run (resumed bytes counted as done from the first frame), and off a terminal
 * (nothing animated; `--progress=plain` prints periodic plain lines, every ARCHIVE_PROGRESS_INTERVAL s).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, runCli, type CliResult } from './support/cli.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { sha256, until, walk } from './support/files.js';
import { startProvider, type AzureFixture } from './support/providers.js';
import { formatBytes } from '../src/output/format.js';

const MiB = 1024 * 1024;
/** Four objects of 1.5 MiB, each streamed at 512 KiB/s: about 3 s of downloading at concurrency 4. */
const FILES = 4;
const SIZE = 1.5 * MiB;
const RATE = 512 * 1024;
/** Large enough to be resumable (pull restarts objects under 4 MiB from zero). */
const BIG = 5 * MiB;

const SIZE_RE = String.raw`\d+(?:\.\d)? (?:B|KiB|MiB|GiB)`;
const DURATION_RE = String.raw`(?:\d\.\d|(?:\d+m )?\d+)s`;
const BAR_GLYPHS = '█▏▎▍▌▋▊▉ ';

interface Frame {
  text: string;
  pct: number;
  bar?: string;
  done: string;
  total: string;
  files: number;
  skipped: number;
  resuming?: { files: number; bytes: string };
  rate?: string;
  eta?: string;
}

/** One progress frame, parsed strictly: anything else in the line fails the match. */
function parseFrame(text: string, totalFiles: number): Frame | undefined {
  const m = new RegExp(
    String.raw`^pull +(\d{1,3})%( [${BAR_GLYPHS}]+)? (${SIZE_RE})/(${SIZE_RE}) · (\d+)/${totalFiles} files(?: \((\d+) skipped\))?` +
      String.raw`(?: · resuming (\d+) files? \((${SIZE_RE}) on disk\))?(?: · (${SIZE_RE})/s)?(?: · ETA (${DURATION_RE})| · verifying…)?$`,
    'u',
  ).exec(text);
  if (!m) return undefined;
  return {
    text,
    pct: Number(m[1]),
    bar: m[2]?.slice(1),
    done: m[3],
    total: m[4],
    files: Number(m[5]),
    skipped: Number(m[6] ?? 0),
    resuming: m[7] ? { files: Number(m[7]), bytes: m[8] } : undefined,
    rate: m[9],
    eta: m[10],
  };
}

/** What a terminal shows at the end: `\r` returns to column 0, `ESC[K` erases to the end of the line. */
function screen(out: string): string[] {
  const lines: string[] = [];
  let cur: string[] = [];
  let col = 0;
  const chars = [...out];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\r') col = 0;
    else if (c === '\n') {
      lines.push(cur.join(''));
      cur = [];
      col = 0;
    } else if (c === '\x1b' && chars[i + 1] === '[' && chars[i + 2] === 'K') {
      cur = cur.slice(0, col);
      i += 2;
    } else cur[col++] = c;
  }
  if (cur.length) lines.push(cur.join(''));
  return lines;
}

/** The frames drawn on the progress line, in order (each `\r…ESC[K` redraw). */
function frames(out: string): string[] {
  return [...out.matchAll(/\r([^\r\n\x1b]*)\x1b\[K/g)].map((m) => m[1]).filter(Boolean);
}

function chunksDone(statePath: string): number {
  try {
    return (JSON.parse(readFileSync(statePath, 'utf8')).done ?? []).length;
  } catch {
    return 0;
  }
}

const secondsOf = (d: string) => d.split(' ').reduce((s, p) => s + Number(p.slice(0, -1)) * (p.endsWith('m') ? 60 : 1), 0);

/** Checks every frame of one run on a terminal `columns` wide; returns them parsed. */
function checkFrames(stderr: string, columns: number, wallSeconds: number, o: { eta?: boolean } = {}): Frame[] {
  const drawn = frames(stderr);
  assert.equal(drawn[0], 'pull: listing…', stderr);
  const parsed = drawn.slice(1).map((t) => {
    const f = parseFrame(t, FILES);
    assert.ok(f, `not a progress line: ${JSON.stringify(t)}`);
    // Fits the terminal (no wrap), and the bar takes what the numbers leave, 10 to 30 cells.
    assert.ok([...t].length <= columns - 1, `${[...t].length} cells at ${columns} columns: ${t}`);
    if (f.bar !== undefined) {
      const rest = [...t].length - f.bar.length - 1;
      assert.equal(f.bar.length, Math.min(30, columns - rest - 2), t);
      assert.match(f.bar, /^█*[▏▎▍▌▋▊▉]? *$/u, t);
    }
    if (f.eta) assert.ok(f.rate, `an ETA without a rate: ${t}`);
    return f;
  });
  assert.ok(parsed.length >= 5, `only ${parsed.length} frames:\n${drawn.join('\n')}`);
  for (let i = 1; i < parsed.length; i++) {
    assert.ok(parsed[i].pct >= parsed[i - 1].pct, `percentage went back: ${parsed[i - 1].text} → ${parsed[i].text}`);
    assert.ok(parsed[i].files >= parsed[i - 1].files, `files went back: ${parsed[i - 1].text} → ${parsed[i].text}`);
  }
  const withEta = parsed.filter((f) => f.eta);
  // A re-run with most bytes on disk may end before an ETA is worth showing (1.5 s of downloading).
  if (o.eta !== false) assert.ok(withEta.length > 0, `no frame with rate and ETA:\n${drawn.join('\n')}`);
  for (const f of withEta) {
    // "ETA 11 min for a 2 s job" and "ETA 0s" were the complaints.
    assert.ok(secondsOf(f.eta!) >= 1 && secondsOf(f.eta!) <= 2 * wallSeconds + 2, `ETA ${f.eta} in a ${wallSeconds.toFixed(1)} s run`);
  }
  return parsed;
}

interface Timed extends CliResult {
  seconds: number;
}

async function timedCli(args: string[], env: Record<string, string>): Promise<Timed> {
  const t0 = Date.now();
  const r = await runCli(args, { env });
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

describe('pull progress, end to end', () => {
  let p: AzureFixture;
  let proxy: FaultProxy;
  let tmp: string;
  const bodies = new Map<string, Buffer>();
  let loc: string;
  let env: Record<string, string>;
  let bigProxy: FaultProxy;
  const big = { loc: '', env: {} as Record<string, string>, bodies: new Map<string, Buffer>() };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'archive-progress-'));
    p = await startProvider('azure');
    for (let i = 0; i < FILES; i++) bodies.set(`logs/part-${i}.log`, randomBytes(SIZE));
    await p.seed(
      'prog',
      [...bodies].map(([key, body]) => ({ key, body })),
    );
    proxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: RATE });
    const via = p.via(proxy.url);
    loc = via.loc('prog');
    env = via.env;
    for (let i = 0; i < FILES; i++) big.bodies.set(`dumps/dump-${i}.bin`, randomBytes(BIG));
    await p.seed(
      'big',
      [...big.bodies].map(([key, body]) => ({ key, body })),
    );
    bigProxy = await startFaultProxy(p.upstream, () => 'slow', { slowBytesPerSec: 2 * MiB });
    const viaBig = p.via(bigProxy.url);
    big.loc = viaBig.loc('big');
    big.env = viaBig.env;
  });
  after(async () => {
    await bigProxy?.close();
    await proxy?.close();
    await p?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function assertPulled(dest: string, want = bodies): void {
    assert.deepEqual(walk(dest), [...want.keys()].sort());
    for (const [key, body] of want) assert.equal(sha256(readFileSync(join(dest, key))), sha256(body), key);
  }

  for (const columns of [80, 120]) {
    test(`on a ${columns}-column terminal: bar, percentage, files, rate, ETA; the line is cleared for the summary`, async () => {
      const dest = join(tmp, `tty-${columns}`);
      const r = await timedCli(['pull', loc, dest], { ...env, ARCHIVE_FORCE_TTY: '1', COLUMNS: String(columns) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      const parsed = checkFrames(r.stderr, columns, r.seconds);
      // At 80 columns a full line (rate and ETA) leaves no room for a 10-cell bar: numbers only.
      if (columns === 120) assert.ok(parsed.every((f) => f.bar !== undefined));
      assert.ok(parsed.every((f) => f.total === '6.0 MiB' && f.skipped === 0 && !f.resuming));
      assert.deepEqual(screen(r.stderr).length, 1, JSON.stringify(screen(r.stderr)));
      assert.match(
        screen(r.stderr)[0],
        new RegExp(`^4 downloaded \\(6\\.0 MiB at ${SIZE_RE}/s\\), 0 already complete, 0 failed in ${DURATION_RE}$`),
      );
      assertPulled(dest);
    });
  }

  test('a file already complete is counted as skipped from the first frames on', async () => {
    const dest = join(tmp, 'skip');
    const first = await runCli(['pull', loc, dest, '--include', '*part-0.log'], { env });
    assert.equal(first.code, 0, first.stderr);
    const r = await timedCli(['pull', loc, dest], { ...env, ARCHIVE_FORCE_TTY: '1', COLUMNS: '120' });
    assert.equal(r.code, 0, r.stderr);
    const parsed = checkFrames(r.stderr, 120, r.seconds);
    assert.ok(
      parsed.some((f) => f.skipped === 1 && f.files >= 1),
      parsed.map((f) => f.text).join('\n'),
    );
    assert.match(screen(r.stderr)[0], new RegExp(`^3 downloaded \\(4\\.5 MiB at ${SIZE_RE}/s\\), 1 already complete, 0 failed in `));
    assertPulled(dest);
  });

  // Objects under 4 MiB restart from zero (no state file is worth it), so the resume cases use
  // 4 objects of 5 MiB behind a faster proxy (2 MiB/s per connection: ~2.5 s each). Interrupted at
  // several points, each synchronised on the disk: one part file past 1 MiB; all past 2 MiB; and
  // a ranged download (1 MiB parts) once it has parts done.
  const cases = [
    { name: 'one part file holds 1 MiB', args: [] as string[], ready: (s: number[]) => s.some((n) => n >= MiB) },
    { name: 'every part file holds 2 MiB', args: [] as string[], ready: (s: number[]) => s.every((n) => n >= 2 * MiB) },
    {
      // Two streams, so a file's parts finish one pair at a time and the state shows parts done for
      // ~1 s before the file completes (with 8 streams all five parts of a file finished within a
      // few ms of each other and a CI run once missed the moment).
      name: 'a ranged download has parts done',
      args: ['--multipart-threshold', '4M', '--chunk-size', '1M', '-c', '2'],
      ready: (_s: number[], chunks: number[]) => chunks.some((n) => n >= 1),
    },
  ];
  for (const c of cases) {
    test(`after Ctrl-C once ${c.name}, the re-run says what it resumes and starts above 0%`, async () => {
      const dest = join(tmp, `resume-${cases.indexOf(c)}`);
      const args = ['pull', big.loc, dest, ...c.args];
      const parts = [...big.bodies.keys()].map((k) => join(dest, `${k}.archive-part`));
      const sizes = () => parts.map((f) => (existsSync(f) ? statSync(f).size : 0));
      const chunks = () => parts.map((f) => chunksDone(`${f}.json`));
      const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(big.env), stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
      await until(() => c.ready(sizes(), chunks()), c.name, closed);
      child.kill('SIGINT');
      assert.equal(await closed, 130, err);
      assert.doesNotMatch(err, /\r/, 'off a terminal nothing is animated');
      // Ranged parts run side by side, so a ranged file may finish first; the re-run skips it.
      const finished = parts.filter((f) => existsSync(f.replace(/\.archive-part$/, ''))).length;
      assert.ok(c.args.length ? finished < FILES : finished === 0, `a file finished before the signal: ${walk(dest)}`);
      // What a re-run can keep: a plain part file's bytes, or a ranged one's recorded parts.
      // (A finished file's state may outlive it when the signal lands between rename and clean-up.)
      const open = parts.map((f) => !existsSync(f.replace(/\.archive-part$/, '')));
      const perFile = (c.args.length ? chunks().map((n) => n * MiB) : sizes()).map((n, i) => (open[i] ? n : 0));
      const kept = perFile.reduce((a, n) => a + n, 0);
      const keptFiles = perFile.filter((n) => n > 0).length;
      assert.ok(kept > 0 && keptFiles > 0);

      const r = await timedCli(args, { ...big.env, ARCHIVE_FORCE_TTY: '1', COLUMNS: '120' });
      assert.equal(r.code, 0, r.stderr);
      const parsed = checkFrames(r.stderr, 120, r.seconds, { eta: false });
      const expected = { files: keptFiles, bytes: formatBytes(kept) };
      // The resumed bytes are done from the first frame on, and every frame says so.
      assert.deepEqual(parsed[0].resuming, expected, parsed[0].text);
      assert.equal(parsed[0].pct, Math.floor((kept / (FILES * BIG)) * 100), parsed[0].text);
      assert.ok(parsed[0].pct > 0, parsed[0].text);
      for (const f of parsed) assert.deepEqual(f.resuming, expected, f.text);
      assert.match(
        screen(r.stderr)[0],
        new RegExp(
          `^${FILES - finished} downloaded \\(${SIZE_RE} at ${SIZE_RE}/s\\), ${finished} already complete, 0 failed, ${formatBytes(kept).replace('.', '\\.')} resumed in `,
        ),
      );
      assertPulled(dest, big.bodies);
    });
  }

  test('off a terminal: no animation, just the summary line', async () => {
    const dest = join(tmp, 'pipe');
    const r = await runCli(['pull', loc, dest], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^4 downloaded \\(6\\.0 MiB at ${SIZE_RE}/s\\), 0 already complete, 0 failed in ${DURATION_RE}\\n$`));
    assertPulled(dest);
  });

  for (const flag of ['--progress=plain', '--progress']) {
    test(`off a terminal, ${flag} prints a plain line every ARCHIVE_PROGRESS_INTERVAL seconds`, async () => {
      const dest = join(tmp, `plain-${flag.length}`);
      const r = await timedCli(['pull', loc, dest, flag], { ...env, ARCHIVE_PROGRESS_INTERVAL: '0.5' });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /[\r\x1b]/);
      const lines = r.stderr.trimEnd().split('\n');
      const summary = lines.pop()!;
      assert.match(summary, new RegExp(`^4 downloaded \\(6\\.0 MiB at ${SIZE_RE}/s\\), 0 already complete, 0 failed in `));
      const parsed = lines.map((l) => {
        const f = parseFrame(l, FILES);
        assert.ok(f, `not a plain progress line: ${JSON.stringify(l)}`);
        assert.equal(f.bar, undefined, l);
        return f;
      });
      // About one line per half second of a ~3 s run (the first after 0.5 s).
      assert.ok(
        parsed.length >= 3 && parsed.length <= Math.ceil(r.seconds / 0.5) + 1,
        `${parsed.length} lines in ${r.seconds} s:\n${r.stderr}`,
      );
      assert.ok(parsed.some((f) => f.eta));
      assertPulled(dest);
    });
  }

  const haveScript = spawnSync('script', ['--version']).status === 0;
  test('through a real pseudo-terminal (script), 100 columns', {
    skip: haveScript ? false : 'the script program (util-linux) is not installed',
  }, async () => {
    const dest = join(tmp, 'pty');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cmd = `stty cols 100 rows 24; exec ${q(process.execPath)} ${q(BIN)} pull ${q(loc)} ${q(dest)}`;
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    // A pty turns \n into \r\n.
    const out = r.out.replace(/\r\n/g, '\n');
    checkFrames(out, 100, (Date.now() - t0) / 1000);
    assert.deepEqual(screen(out).length, 1, JSON.stringify(screen(out)));
    assert.match(screen(out)[0], /^4 downloaded \(6\.0 MiB at .*\), 0 already complete, 0 failed in /);
    assertPulled(dest);
  });
});
