/**
 * Progress of a wait for objects to become readable (`archive restore --wait`, `pull
 * --wait-restore`): on a terminal one stderr line redrawn in place, as pull's bar; with
 * `--progress=plain` one plain line per check (checks are minutes apart, so a CI log gets one line
 * each); otherwise nothing until the summary.
 *
 * `restore  40% ████      4/10 objects readable · 1.2 GiB/3.0 GiB · waited 12m 3s · next check in 5m 0s`
 */
import { bar } from './bars.js';
import { formatBytes } from './format.js';
import { formatDuration } from '../time.js';
import type { OutStream } from '../io.js';

export interface WaitCounts {
  total: number;
  totalBytes: number;
  done: number;
  doneBytes: number;
  elapsedMs: number;
  nextInMs?: number;
}

export function waitLine(label: string, s: WaitCounts, barWidth = 0): string {
  const fraction = s.totalBytes > 0 ? s.doneBytes / s.totalBytes : s.total > 0 ? s.done / s.total : 1;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  const parts = [
    `${s.done}/${s.total} object${s.total === 1 ? '' : 's'} readable`,
    `${formatBytes(s.doneBytes)}/${formatBytes(s.totalBytes)}`,
    `waited ${formatDuration(s.elapsedMs)}`,
  ];
  if (s.nextInMs !== undefined) parts.push(`next check in ${formatDuration(s.nextInMs)}`);
  const drawn = barWidth > 0 ? ` ${bar(fraction, 1, barWidth).padEnd(barWidth)}` : '';
  return `${label} ${pct}${drawn} ${parts.join(' · ')}`;
}

export class WaitProgress {
  private drawn = false;

  private constructor(
    private readonly label: string,
    private readonly mode: 'off' | 'tty' | 'plain',
    private readonly stream: OutStream,
    private readonly columns: () => number,
  ) {}

  /** `requested` as pull's --progress: 'plain' prints a line per check anywhere; else a terminal gets the bar. */
  static create(
    label: string,
    stream: OutStream,
    enabled: boolean,
    requested: 'tty' | 'plain' | undefined,
    env: Readonly<NodeJS.ProcessEnv>,
  ): WaitProgress {
    const forced = env.ARCHIVE_FORCE_TTY === '1';
    const envColumns = Number(env.COLUMNS);
    const tty = !!stream.isTTY || forced;
    const mode = !enabled ? 'off' : requested === 'plain' ? 'plain' : tty ? 'tty' : 'off';
    return new WaitProgress(label, mode, stream, () => (forced && envColumns) || stream.columns || envColumns || 80);
  }

  update(s: WaitCounts): void {
    if (this.mode === 'plain') this.stream.write(`${waitLine(this.label, s)}\n`);
    else if (this.mode === 'tty') {
      const text = waitLine(this.label, s);
      const barWidth = Math.max(0, Math.min(30, this.columns() - text.length - 2));
      this.stream.write(`\r${barWidth >= 10 ? waitLine(this.label, s, barWidth) : text.slice(0, this.columns() - 1)}\x1b[K`);
      this.drawn = true;
    }
  }

  /** A line above the progress line. */
  log(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  stop(): void {
    this.clear();
  }
}
