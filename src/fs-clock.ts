/**
 * How old a file is, judged on the file system's clock rather than this process's. Lock files
 * carry no trustworthy time of their own but their mtime, which the file system stamps: on a shared
 * mount the server's clock, under libfaketime (the suite's clock runs) the real one, since Node
 * reads times with statx, which libfaketime does not shift. Comparing that mtime with Date.now()
 * would call a second-old lock a day old (and break it) whenever the two clocks differ; comparing
 * it with the mtime of a file made just now beside it cannot.
 *
 * For rare paths only (a lock with no readable owner, a leftover break marker): each call makes and
 * removes one empty file, `<beside>.now-<random>`, created O_EXCL|O_NOFOLLOW.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, unlinkSync } from 'node:fs';

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The file system's "now" where `beside` lives, in ms: the mtime of a file made just now next to it. */
export function fsNowMs(beside: string): number {
  const probe = `${beside}.now-${randomBytes(6).toString('hex')}`;
  const fd = openSync(probe, FLAGS, 0o600);
  try {
    return fstatSync(fd).mtimeMs;
  } finally {
    closeSync(fd);
    unlinkSync(probe);
  }
}

/** Milliseconds since a file beside `beside` was last modified, on the file system's clock. */
export function fileAgeMs(beside: string, mtimeMs: number): number {
  return fsNowMs(beside) - mtimeMs;
}
