/**
 * The one private directory a query keeps its fetched objects, DuckDB's spill files and result
 * files in: created exclusively under the OS temp dir (mkdtemp, mode 0700, so nothing is ever
 * written through a symlink someone planted), and removed on every exit path — normal return,
 * error, Ctrl-C, and the second Ctrl-C that exits at once (a synchronous 'exit' hook).
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class TempSpace {
  readonly root: string;
  /** Fetched objects, one file per object, only under their final name once complete. */
  readonly objects: string;
  /** DuckDB's temp_directory (spill for sorts, joins and aggregates over memory_limit). */
  readonly spill: string;
  /** Result files written by COPY before they are streamed to stdout or renamed to --out. */
  readonly results: string;
  private removed = false;
  private readonly onExit = () => this.remove();

  private constructor(root: string) {
    this.root = root;
    this.objects = path.join(root, 'objects');
    this.spill = path.join(root, 'spill');
    this.results = path.join(root, 'results');
    for (const d of [this.objects, this.spill, this.results]) mkdirSync(d, { mode: 0o700 });
    process.once('exit', this.onExit);
  }

  static create(parent = tmpdir()): TempSpace {
    return new TempSpace(mkdtempSync(path.join(parent, 'archive-query-')));
  }

  /** Idempotent and synchronous, so it can run from process.on('exit'). Never throws. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    process.off('exit', this.onExit);
    try {
      rmSync(this.root, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // best effort: nothing else can be done on the way out
    }
  }
}
