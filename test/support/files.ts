/**
 * What a test asserts about the disk: every file under a directory, content hashes, and waiting
 * for a state to appear on it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `root` (relative paths, sorted); [] when `root` does not exist. */
export function walk(root: string, dir = root): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(root, p));
    else out.push(relative(root, p));
  }
  return out.sort();
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Polls for a state on disk; fails at once (with its output) if the run being watched ends first. */
export async function until(cond: () => boolean, what: string, watched?: Promise<unknown>, timeoutMs = 120_000): Promise<void> {
  // A flag, not the result: a run that exits 0 resolves to a falsy 0.
  let ended = false;
  let result: unknown;
  void watched?.then((r) => {
    ended = true;
    result = r;
  });
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (ended) throw new Error(`the run ended before ${what}: ${JSON.stringify(result ?? 'exited')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
