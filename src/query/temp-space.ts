/**
 * The one private directory a query keeps its fetched objects, DuckDB's spill files and result
 * files in: created exclusively under the OS temp dir (mkdtemp, mode 0700, so nothing is ever
 * written through a symlink someone planted), and removed on every exit path — normal return,
 * error, Ctrl-C, and the second Ctrl-C that exits at once (a synchronous 'exit' hook).
 *
 * A run killed with -9 (or by the OOM killer, a power cut) runs no hook: its directory, with the
 * fetched logs in it, would stay for ever. Each directory records its owner (pid, host, process
 * start time) in `owner.json`, and every query first removes the directories of owners that are
 * gone (reclaimDead): only this user's, only real directories named as mkdtemp names them and
 * holding an owner file that names them, never one whose owner lives.
 */
import { lstatSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { currentProcess, ownerAlive } from '../pull/file-lock.js';

const PREFIX = 'archive-query-';
/** What mkdtemp makes of PREFIX: six more characters, nothing else (`archive-query-notes/` is not ours). */
const OURS = /^archive-query-[A-Za-z0-9]{6}$/;
const OWNER_FILE = 'owner.json';

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
  static reclaimDead(parent = tmpdir()): Array<{ dir: string; pid?: number }> {
    const gone: Array<{ dir: string; pid?: number }> = [];
    let names: string[];
    try {
      names = readdirSync(parent).filter((n) => OURS.test(n));
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
        // Only a directory that proves it is a query's (its owner file names it) and whose owner is
        // provably gone. One without an owner file (made by an older version, or caught between
        // mkdtemp and the write) is left: its age would be a guess (a file's mtime against this
        // process's clock), and a wrong guess deletes someone's files.
        if (!owner || typeof owner.pid !== 'number' || typeof owner.host !== 'string' || owner.token !== name) continue;
        if (ownerAlive(owner)) continue;
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
