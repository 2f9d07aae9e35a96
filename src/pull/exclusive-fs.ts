/**
 * Opening pull's own files (part, state, temp) so that nothing planted at their names — a
 * symlink out of DEST above all — is ever followed: fresh files are created with
 * O_CREAT|O_EXCL|O_NOFOLLOW after whatever held the name was unlinked (unlink removes a link,
 * never its target); existing ones are reopened with O_NOFOLLOW and must be regular files.
 * Callers hold the file's lock (file-lock.ts), so no other archive run races for these names.
 */
import { constants } from 'node:fs';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';

const FRESH = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const EXISTING = constants.O_RDWR | constants.O_NOFOLLOW;

/** Removes a file or link at `path` if any; a folder there is an error (EISDIR/EPERM) for the caller. */
export async function removeEntry(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** A new, empty regular file at `path`, replacing whatever was there (without following it). */
export async function createFresh(path: string): Promise<FileHandle> {
  // Usually nothing is there: one open; otherwise unlink what is (a stale part, a planted link) and retry.
  try {
    return await open(path, FRESH, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await removeEntry(path);
  return open(path, FRESH, 0o644);
}

/** The regular file at `path` opened read-write, or undefined when it is missing, a link or not a file. */
export async function openExisting(path: string): Promise<FileHandle | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, EXISTING);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EISDIR') return undefined;
    throw err;
  }
  if (!(await fh.stat()).isFile()) {
    await fh.close();
    return undefined;
  }
  return fh;
}

/** Reads a small file without following a link at its name; undefined when absent or unreadable. */
export async function readNoFollow(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch {
    return undefined;
  }
}

/** Replaces `path` atomically with `text` through an exclusive temp file (`path`.tmp). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await createFresh(tmp);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  // rename() replaces a link at `path` itself; it never writes through it.
  await rename(tmp, path);
}
