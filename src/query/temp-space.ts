/**
 * The one private directory a query keeps its fetched objects, DuckDB's spill files and result
 * files in: created exclusively under the OS temp dir (mkdtemp, mode 0700, so nothing is ever
 * written through a symlink someone planted), and removed on every exit path — normal return,
 * error, Ctrl-C, and the second Ctrl-C that exits at once (a synchronous 'exit' hook).
 *
 * A run killed with -9 (or by the OOM killer, a power cut) runs no hook: its directory, with the
 * fetched logs in it, would stay for ever. Each directory records its owner (pid, host, process
 * start time) in `owner.json`, and every query first removes the directories of owners that are
 * gone (reclaimDead): only this user's, only real directories, never one whose owner lives.
 */
import { lstatSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { currentProcess, ownerAlive } from '../pull/file-lock.js';

const PREFIX = 'archive-query-';
const OWNER_FILE = 'owner.json';
/** A directory without an owner file (a version before it, or one caught between mkdtemp and the write) is left this long. */
const UNOWNED_GRACE_MS = 24 * 3_600_000;

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
    process.once('exit', this.onExit);
    writeFileSync(path.join(root, OWNER_FILE), JSON.stringify({ ...currentProcess(), token: path.basename(root) }), {
      flag: 'wx',
      mode: 0o600,
    });
    for (const d of [this.objects, this.spill, this.results]) mkdirSync(d, { mode: 0o700 });
  }

  static create(parent = tmpdir()): TempSpace {
    return new TempSpace(mkdtempSync(path.join(parent, PREFIX)));
  }

  /**
   * Removes the temp directories of queries that died without cleaning up (see above) and
   * returns them with their owner's pid. Never throws: a directory it cannot judge is left.
   */
  static reclaimDead(parent = tmpdir(), now = Date.now()): Array<{ dir: string; pid?: number }> {
    const gone: Array<{ dir: string; pid?: number }> = [];
    let names: string[];
    try {
      names = readdirSync(parent).filter((n) => n.startsWith(PREFIX));
    } catch {
      return gone;
    }
    const uid = process.getuid?.();
    for (const name of names) {
      const dir = path.join(parent, name);
      try {
        const st = lstatSync(dir);
        if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
        let owner: { pid: number; host: string; start?: string; token: string } | undefined;
        try {
          owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
        } catch {
          owner = undefined;
        }
        const dead =
          owner && typeof owner.pid === 'number' && typeof owner.host === 'string'
            ? !ownerAlive({ ...owner, token: owner.token ?? name })
            : now - st.mtimeMs > UNOWNED_GRACE_MS;
        if (!dead) continue;
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
        gone.push({ dir, pid: owner?.pid });
      } catch {
        // someone else's, or removed meanwhile: leave it
      }
    }
    return gone;
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
