/**
 * One writer per local file across processes: `<final>.archive-lock`, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (an existing name, a planted symlink included, is never opened or
 * followed) and holding the owner's pid, host, process start time and a random token.
 *
 * A lock left by a run that died (kill -9, power loss) is stale when, on this host, its pid is
 * gone or now belongs to a process with another start time (pid reuse). Breaking a stale lock is
 * itself guarded by `<lock>.break` (O_EXCL), so two waiters that both saw the stale lock cannot
 * remove each other's fresh one. Locks from another host (a shared mount) are never broken.
 *
 * Error contract: tryLock resolves undefined while a live owner holds the lock; waitLock resolves
 * once the lock is ours or rejects with the signal's reason; filesystem errors other than EEXIST /
 * ENOENT are thrown as they are.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileAgeMs } from '../fs-clock.js';
import { ArchiveError } from '../errors.js';
import { formatDuration } from '../time.js';

export const LOCK_SUFFIX = '.archive-lock';
const BREAK_SUFFIX = '.break';
/** A lock file without readable owner (its creator died between open and write) counts as stale after this. */
const UNREADABLE_STALE_MS = 10_000;
/** Breaking takes a few syscalls; a break marker older than this was left by a breaker that died. */
const BREAK_STALE_MS = 30_000;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface LockOwner {
  pid: number;
  host: string;
  /** /proc start time of the pid (Linux), to tell a reused pid from the owner. */
  start?: string;
  token: string;
  /** When the lock was taken (ISO); for older locks without it, the lock file's modification time. */
  since?: string;
}

function processStart(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the parenthesised command name start at field 3.
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const self: Omit<LockOwner, 'token' | 'since'> = { pid: process.pid, host: hostname(), start: processStart(process.pid) };

/** This process as an owner (pid, host, start time): what a lock or a query's temp dir records. */
export function currentProcess(): Omit<LockOwner, 'token' | 'since'> {
  return { ...self };
}

/** False only when the owner is provably gone. */
export function ownerAlive(o: LockOwner): boolean {
  if (o.host !== self.host) return true;
  if (o.pid === self.pid) return o.start === self.start;
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (o.start) {
    const now = processStart(o.pid);
    if (now !== undefined && now !== o.start) return false;
  }
  return true;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** `pid 4242 on build-7, since 2026-12-01T00:30:00Z`: who holds a lock, for a person. */
export function describeOwner(o: LockOwner): string {
  return `pid ${o.pid} on ${o.host}${o.since ? `, since ${o.since.replace(/\.\d{3}Z$/, 'Z')}` : ''}`;
}

/**
 * Identity of one file: inode and change time in nanoseconds. ext4 hands a freed inode number to
 * the next file at once (measured here: remove + create reuses it), so the inode alone cannot
 * tell our lock from a newer one; the ctime of a file nobody writes after creation can.
 */
type FileId = string;
const fileId = (s: { ino: bigint; ctimeNs: bigint }): FileId => `${s.ino}:${s.ctimeNs}`;

/**
 * The new file's identity, or undefined when the name is taken. Synchronous on purpose: lock +
 * release + record cost 0.06-0.08 ms CPU per file this way against 0.57-0.73 ms through promise
 * thread-pool round trips (3000 files, local ext4, Node 20); they are a few tiny metadata syscalls.
 */
function createExclusive(path: string, content: string): FileId | undefined {
  let fd: number;
  try {
    fd = openSync(path, CREATE_FLAGS, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    writeSync(fd, content);
    return fileId(fstatSync(fd, { bigint: true }));
  } finally {
    closeSync(fd);
  }
}

/** The lock's raw content and whether it may be broken; undefined when it vanished meanwhile. */
async function inspect(path: string): Promise<{ raw: string; owner?: LockOwner; stale: boolean } | undefined> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // Not a lock we made (a symlink or folder planted there): never read through it; a symlink may go.
  if (st.isSymbolicLink()) return { raw: `link:${st.ino}`, stale: true };
  if (!st.isFile()) return { raw: `other:${st.ino}`, stale: false };
  let raw: string;
  try {
    raw = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = parseOwner(raw);
  if (!parsed) return { raw, stale: fileAgeMs(path, st.mtimeMs) > UNREADABLE_STALE_MS };
  const owner = { ...parsed, since: parsed.since ?? new Date(st.mtimeMs).toISOString() };
  return { raw, owner, stale: !ownerAlive(owner) };
}

async function breakStale(path: string, seen: string): Promise<void> {
  const marker = path + BREAK_SUFFIX;
  if (createExclusive(marker, String(process.pid)) === undefined) {
    try {
      if (fileAgeMs(path, (await lstat(marker)).mtimeMs) > BREAK_STALE_MS) await unlink(marker);
    } catch {
      /* another breaker finished or removed it */
    }
    return;
  }
  try {
    // Only the lock we judged stale goes: a fresh lock created since then stays.
    const now = await inspect(path);
    if (now?.stale && now.raw === seen) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

export class FileLock {
  private released = false;
  constructor(
    readonly path: string,
    private readonly id: FileId,
  ) {}

  /** Removes the lock if it is still ours (never someone else's): the same file, by identity. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      if (fileId(lstatSync(this.path, { bigint: true })) === this.id) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

/** The lock for `final`, or undefined while a live process holds it. */
export async function tryLock(final: string): Promise<FileLock | undefined> {
  const path = final + LOCK_SUFFIX;
  const token = randomBytes(12).toString('hex');
  const content = JSON.stringify({ ...self, token, since: new Date().toISOString() } satisfies LockOwner);
  for (let i = 0; i < 4; i++) {
    const id = createExclusive(path, content);
    if (id !== undefined) return new FileLock(path, id);
    const held = await inspect(path);
    if (!held) continue;
    if (!held.stale) return undefined;
    await breakStale(path, held.raw);
  }
  return undefined;
}

/** A holder that made no progress for the wait's limit (pull --lock-timeout): the file is left to it. */
export class LockTimeoutError extends ArchiveError {}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Told once, when the wait starts, who holds the lock. */
  onWait?: (owner: LockOwner | undefined) => void;
  /**
   * Give up after this long without progress (0 or undefined: wait for ever). Progress is a new
   * holder or a change of `progress()` (the holder's part file growing, say).
   */
  timeoutMs?: number;
  progress?: () => Promise<string>;
}

/** Waits (polling, 50 ms growing to 1 s) until the lock for `final` is ours, or the holder stalls past the limit. */
export async function waitLock(final: string, o: WaitOptions = {}): Promise<FileLock> {
  const { signal } = o;
  let delay = 50;
  let told = false;
  let mark = '';
  let since = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    const lock = await tryLock(final);
    if (lock) return lock;
    const held = await inspect(final + LOCK_SUFFIX).catch(() => undefined);
    if (!told) {
      told = true;
      o.onWait?.(held?.owner);
    }
    if (o.timeoutMs) {
      const now = `${held?.owner?.token ?? held?.raw ?? ''} ${o.progress ? await o.progress().catch(() => '') : ''}`;
      if (now !== mark) {
        mark = now;
        since = Date.now();
      } else if (Date.now() - since >= o.timeoutMs) {
        const who = held?.owner ? `another archive pull (${describeOwner(held.owner)})` : 'another archive pull';
        throw new LockTimeoutError(`${final} is held by ${who}, which made no progress on it for ${formatDuration(o.timeoutMs)}`, {
          serviceCode: 'LockTimeout',
          hint: `if that run is stuck, stop it${held?.owner ? ` (kill ${held.owner.pid} on ${held.owner.host})` : ''} and run again; or wait longer with --lock-timeout (0 waits for ever)`,
        });
      }
    }
    try {
      await sleep(o.timeoutMs ? Math.min(delay, o.timeoutMs) : delay, undefined, { signal });
    } catch (err) {
      throw signal?.reason ?? err;
    }
    delay = Math.min(1000, delay * 2);
  }
}

/** True while a live process holds the lock of `final` (pull's stale-file sweep leaves its files alone). */
export async function lockHeld(final: string): Promise<boolean> {
  const held = await inspect(final + LOCK_SUFFIX).catch(() => undefined);
  return !!held && !held.stale;
}
