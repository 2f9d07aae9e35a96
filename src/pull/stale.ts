/**
 * Files an interrupted pull leaves under DEST (`NAME.archive-part`, its `.archive-part.json`
 * state, `NAME.archive-tmp`, `NAME.archive-lock`) for objects the current run does not select: a
 * re-run with another window, filter or prefix never touches them, so they would sit there for
 * ever. `pull --dry-run` lists them; `pull --clean-parts` removes them. A file whose lock a live
 * process holds is some other run's work in progress and is never listed.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_SUFFIX, lockHeld } from './file-lock.js';
import { PART_SUFFIX, STATE_SUFFIX, TMP_SUFFIX } from './transfer.js';

const BREAK_SUFFIX = `${LOCK_SUFFIX}.break`;
// Longest first: `.archive-part.json` before `.archive-part`, `.archive-lock.break` before `.archive-lock`.
const SUFFIXES = [STATE_SUFFIX, PART_SUFFIX, TMP_SUFFIX, BREAK_SUFFIX, LOCK_SUFFIX];

export interface StaleFile {
  path: string;
  /** The final file it was being written for. */
  final: string;
  bytes: number;
}

/** The final path a leftover belongs to, or undefined for any other file. */
export function finalOf(path: string): string | undefined {
  const suffix = SUFFIXES.find((s) => path.endsWith(s) && path.length > s.length);
  return suffix ? path.slice(0, -suffix.length) : undefined;
}

/** Leftovers under `dest` (links are not followed) whose final path is none of `selected`. */
export async function findStale(dest: string, selected: ReadonlySet<string>): Promise<StaleFile[]> {
  const out: StaleFile[] = [];
  const held = new Map<string, boolean>();
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone, or not ours to read
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const final = finalOf(path);
        if (!final || selected.has(final)) continue;
        if (!held.has(final)) held.set(final, await lockHeld(final));
        if (held.get(final)) continue;
        const bytes = await lstat(path).then(
          (s) => s.size,
          () => undefined,
        );
        if (bytes !== undefined) out.push({ path, final, bytes });
      }
    }
  };
  await walk(dest);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Removes what findStale found (a file gone meanwhile is fine); returns the paths removed. */
export async function removeStale(files: readonly StaleFile[]): Promise<string[]> {
  const removed: string[] = [];
  for (const f of files) {
    // A run may have taken the object up since the sweep looked: leave its files to it.
    if (await lockHeld(f.final)) continue;
    await rm(f.path, { force: true });
    removed.push(f.path);
  }
  return removed;
}
