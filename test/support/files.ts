/**
 * What a test asserts about the disk: every file under a directory, and content hashes.
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
