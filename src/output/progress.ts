/**
 * One overall progress line for transfers: bytes, rate, ETA, files. Animated (ora) only when
 * stderr is a terminal and not --quiet; scripts get nothing here, only the final summary.
 */
import type { Ora } from 'ora';
import { formatBytes } from './format.js';
import { formatDuration } from '../time.js';

export class Progress {
  private spinner?: Ora;
  private files = 0;
  private totalFiles = 0;
  private bytes = 0;
  private totalBytes = 0;
  private readonly started = Date.now();
  private lastRender = 0;

  private constructor(private readonly label: string) {}

  static async create(label: string, enabled: boolean): Promise<Progress> {
    const p = new Progress(label);
    if (enabled && process.stderr.isTTY) {
      const { default: ora } = await import('ora');
      p.spinner = ora({ text: `${label}: listing…`, stream: process.stderr, discardStdin: false }).start();
    }
    return p;
  }

  planned(files: number, bytes: number): void {
    this.totalFiles = files;
    this.totalBytes = bytes;
    this.render(true);
  }
  addBytes(n: number): void {
    this.bytes += n;
    this.render(false);
  }
  fileDone(): void {
    this.files++;
    this.render(false);
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  line(): string {
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.bytes / secs;
    const left = this.totalBytes - this.bytes;
    const eta = rate > 0 && left > 0 ? ` · ETA ${formatDuration((left / rate) * 1000)}` : '';
    return `${this.label}: ${this.files}/${this.totalFiles} files · ${formatBytes(this.bytes)}/${formatBytes(this.totalBytes)} · ${formatBytes(rate)}/s${eta}`;
  }

  private render(force: boolean): void {
    if (!this.spinner) return;
    const now = Date.now();
    if (!force && now - this.lastRender < 100) return;
    this.lastRender = now;
    this.spinner.text = this.line();
  }

  /** Pauses the animation to print a line above it. */
  log(text: string): void {
    if (this.spinner) {
      this.spinner.clear();
      process.stderr.write(text + '\n');
      this.spinner.render();
    } else process.stderr.write(text + '\n');
  }

  stop(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }
}
