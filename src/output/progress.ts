/**
 * Progress of a transfer: one bar with percentage, files done/failed/skipped, a smoothed rate and
 * an ETA. On a terminal it redraws one stderr line in place; with `--progress=plain` (CI logs of
 * long pulls, as azcopy does) it prints one plain line every 10 s; otherwise it prints nothing and
 * the command's final summary is all a script sees.
 *
 * Bytes already on disk from an earlier run (resumed parts) count as done from the start, so a
 * re-run after Ctrl-C starts at the percentage where the last one stopped; they never enter the
 * rate, which measures this run's downloading only.
 */
import { bar } from './bars.js';
import { formatBytes } from './format.js';
import { formatDuration } from '../time.js';
import type { OutStream } from '../io.js';

export type ProgressMode = 'off' | 'tty' | 'plain';

/** How often the plain mode prints (see plainIntervalMs), and how often the terminal line may redraw at most. */
const PLAIN_INTERVAL_MS = 10_000;
const TTY_INTERVAL_MS = 100;
/** Rate samples are taken this often and smoothed with this weight for the newest sample. */
const SAMPLE_MS = 500;
const SMOOTHING = 0.3;
/** No ETA before this much downloading: the first second of a pull says nothing about the rest. */
const ETA_AFTER_MS = 1500;

export interface ProgressCounts {
  totalFiles: number;
  totalBytes: number;
  files: number;
  failed: number;
  skipped: number;
  /** Bytes done, resumed bytes included. */
  bytes: number;
  resumedBytes: number;
  resumedFiles: number;
}

/**
 * The numbers and their smoothing, without any output: fed by events and a clock, read by the
 * renderers and by tests.
 */
export class ProgressModel {
  readonly counts: ProgressCounts = {
    totalFiles: 0,
    totalBytes: 0,
    files: 0,
    failed: 0,
    skipped: 0,
    bytes: 0,
    resumedBytes: 0,
    resumedFiles: 0,
  };
  private rate?: number;
  private sampleAt: number;
  private sampleBytes = 0;
  private downloadingSince?: number;

  constructor(private readonly now: () => number = Date.now) {
    this.sampleAt = now();
  }

  planned(files: number, bytes: number): void {
    this.counts.totalFiles = files;
    this.counts.totalBytes = bytes;
  }
  resumed(bytes: number, files = 1): void {
    this.counts.resumedFiles += files;
    this.counts.resumedBytes += bytes;
    this.counts.bytes += bytes;
  }
  addBytes(n: number): void {
    this.downloadingSince ??= this.now();
    this.counts.bytes += n;
    this.sampleBytes += n;
    this.sample();
  }
  fileDone(status: string): void {
    this.counts.files++;
    if (status === 'failed') this.counts.failed++;
    else if (status === 'skipped') this.counts.skipped++;
  }

  private sample(): void {
    const t = this.now();
    const dt = t - this.sampleAt;
    if (dt < SAMPLE_MS) return;
    const r = (this.sampleBytes * 1000) / dt;
    this.rate = this.rate === undefined ? r : SMOOTHING * r + (1 - SMOOTHING) * this.rate;
    this.sampleAt = t;
    this.sampleBytes = 0;
  }

  /** Smoothed bytes per second of this run, once there is a sample. */
  bytesPerSecond(): number | undefined {
    return this.rate;
  }

  /** Milliseconds left, or undefined while there is not enough to go on (or nothing left). */
  etaMs(): number | undefined {
    const left = this.counts.totalBytes - this.counts.bytes;
    if (!this.rate || left <= 0 || this.downloadingSince === undefined) return undefined;
    if (this.now() - this.downloadingSince < ETA_AFTER_MS) return undefined;
    return (left / this.rate) * 1000;
  }

  fraction(): number {
    const c = this.counts;
    if (c.totalBytes > 0) return Math.min(1, c.bytes / c.totalBytes);
    return c.totalFiles > 0 ? c.files / c.totalFiles : 0;
  }
}

/** `pull  42% ██████▍     1.2 GiB/2.8 GiB · 12/30 files (1 failed, 3 skipped) · 84 MiB/s · ETA 19s` */
export function progressLine(label: string, m: ProgressModel, opts: { barWidth?: number } = {}): string {
  const c = m.counts;
  const pct = `${Math.floor(m.fraction() * 100)}%`.padStart(4);
  const parts = [`${formatBytes(c.bytes)}/${formatBytes(c.totalBytes)}`];
  const extra = [c.failed ? `${c.failed} failed` : '', c.skipped ? `${c.skipped} skipped` : ''].filter(Boolean);
  parts.push(`${c.files}/${c.totalFiles} files${extra.length ? ` (${extra.join(', ')})` : ''}`);
  if (c.resumedFiles)
    parts.push(`resuming ${c.resumedFiles} file${c.resumedFiles === 1 ? '' : 's'} (${formatBytes(c.resumedBytes)} on disk)`);
  const rate = m.bytesPerSecond();
  if (rate !== undefined) parts.push(`${formatBytes(rate)}/s`);
  const eta = m.etaMs();
  if (eta !== undefined) parts.push(`ETA ${formatDuration(Math.max(1000, eta))}`);
  else if (c.totalBytes > 0 && c.bytes >= c.totalBytes && c.files < c.totalFiles) parts.push('verifying…');
  const width = opts.barWidth ?? 0;
  const drawn = width > 0 ? ` ${bar(m.fraction(), 1, width).padEnd(width)}` : '';
  return `${label} ${pct}${drawn} ${parts.join(' · ')}`;
}

/** The plain mode's period: ARCHIVE_PROGRESS_INTERVAL in seconds (a CI log may want it denser or sparser), else 10 s. */
export function plainIntervalMs(env: Readonly<NodeJS.ProcessEnv>): number {
  const s = Number(env.ARCHIVE_PROGRESS_INTERVAL);
  return Number.isFinite(s) && s > 0 ? Math.max(100, s * 1000) : PLAIN_INTERVAL_MS;
}

/**
 * Whether `stream` is a terminal and how wide: ARCHIVE_FORCE_TTY=1 (with COLUMNS) makes a pipe
 * count as one, as it does for stdout (src/output/terminal.ts), so the bar can be tested exactly.
 */
function terminal(stream: OutStream, env: Readonly<NodeJS.ProcessEnv>): { tty: boolean; columns: () => number } {
  const forced = env.ARCHIVE_FORCE_TTY === '1';
  const fromEnv = Number(env.COLUMNS);
  const envColumns = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
  return {
    tty: !!stream.isTTY || forced,
    columns: () => (forced && envColumns) || stream.columns || envColumns || 80,
  };
}

export class Progress {
  private readonly model = new ProgressModel();
  private readonly started = Date.now();
  private lastRender = 0;
  private timer?: NodeJS.Timeout;
  private drawn = false;

  private constructor(
    private readonly label: string,
    private readonly mode: ProgressMode,
    private readonly stream: OutStream,
    private readonly columns: () => number,
  ) {}

  /**
   * `enabled` false: nothing at all. Otherwise `requested` picks the mode: 'tty' only draws on a
   * terminal; 'plain' prints periodic lines anywhere; undefined means 'tty' when stderr is one.
   */
  static async create(
    label: string,
    stream: OutStream,
    enabled: boolean,
    requested?: 'tty' | 'plain',
    env: Readonly<NodeJS.ProcessEnv> = {},
  ): Promise<Progress> {
    const term = terminal(stream, env);
    const mode: ProgressMode = !enabled ? 'off' : requested === 'plain' ? 'plain' : term.tty ? 'tty' : 'off';
    const p = new Progress(label, mode, stream, term.columns);
    if (mode === 'tty') p.draw(`${label}: listing…`);
    if (mode === 'plain') {
      p.timer = setInterval(() => p.stream.write(`${progressLine(p.label, p.model)}\n`), plainIntervalMs(env));
      p.timer.unref();
    }
    return p;
  }

  planned(files: number, bytes: number): void {
    this.model.planned(files, bytes);
    this.render(true);
  }
  /** Files found partly on disk: their bytes count as done, and the line says how many resume. */
  resuming(files: number, bytes: number): void {
    if (!files) return;
    this.model.resumed(bytes, files);
    this.render(true);
  }
  addBytes(n: number): void {
    this.model.addBytes(n);
    this.render(false);
  }
  fileDone(status = 'downloaded'): void {
    this.model.fileDone(status);
    this.render(false);
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  line(): string {
    return progressLine(this.label, this.model);
  }

  private render(force: boolean): void {
    // Resumed files are reported before the plan; the first frame waits for the plan's totals.
    if (this.mode !== 'tty' || !this.model.counts.totalFiles) return;
    const now = Date.now();
    if (!force && now - this.lastRender < TTY_INTERVAL_MS) return;
    this.lastRender = now;
    const columns = this.columns();
    // The bar takes what the numbers leave, between 10 and 30 cells.
    const text = progressLine(this.label, this.model);
    const barWidth = Math.max(0, Math.min(30, columns - text.length - 2));
    this.draw(barWidth >= 10 ? progressLine(this.label, this.model, { barWidth }) : text.slice(0, columns - 1));
  }

  private draw(text: string): void {
    this.stream.write(`\r${text}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Prints a line above the progress line (which is redrawn after it). */
  log(text: string): void {
    if (this.mode === 'tty') {
      this.clear();
      this.stream.write(`${text}\n`);
      this.render(true);
    } else this.stream.write(`${text}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.mode === 'tty') this.clear();
  }
}
