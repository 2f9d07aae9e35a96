/**
 * What object version each local file holds, so "already complete" means the same object (source,
 * key, ETag, size, last-modified), not just a file of the right size and mtime — with --flatten
 * two keys can share a local name, and a re-run with another filter or shard may map another key
 * there.
 *
 * Records live outside DEST, under the user's state directory ($ARCHIVE_STATE_DIR, else
 * $XDG_STATE_HOME/archive, else ~/.local/state/archive), one small JSON file per local path
 * (pulled/<hash of DEST>/<xx>/<hash of path>.json): DEST itself holds only the pulled files (no xattrs, which tmpfs/NFS/SMB and
 * copies drop, and no sidecars a downstream tool would pick up). A record is written after the
 * file is renamed into place, by the holder of that file's lock.
 *
 * Error contract: reads return undefined on any failure; writes never throw (a missing record only
 * makes a later run re-download a flattened or renamed file).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ObjectInfo } from '../providers/types.js';

export interface PulledRecord {
  v: 1;
  source: string;
  key: string;
  etag?: string;
  size: number;
  lastModified: string;
  /** Size of the local file (the decoded size with --decompress). */
  bytes: number;
}

export function stateRoot(env: Readonly<NodeJS.ProcessEnv>): string {
  if (env.ARCHIVE_STATE_DIR) return env.ARCHIVE_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'archive');
  return join(env.HOME || homedir(), '.local', 'state', 'archive');
}

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

export class PulledRecords {
  private readonly dir: string;
  /** Fan-out folders already created (256 at most: a million records stay ~4k per folder). */
  private readonly made = new Set<string>();

  /** `realDest`: DEST with links resolved, so two spellings of one folder share records. */
  constructor(
    realDest: string,
    private readonly source: string,
    root = stateRoot(process.env),
  ) {
    this.dir = join(root, 'pulled', hex(realDest, 24));
  }

  private pathFor(rel: string): string {
    const h = hex(rel, 32);
    return join(this.dir, h.slice(0, 2), `${h}.json`);
  }

  // Synchronous like the locks (file-lock.ts has the measurement): a few tiny metadata syscalls.
  async get(rel: string): Promise<PulledRecord | undefined> {
    try {
      return JSON.parse(
        readFileSync(this.pathFor(rel), { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }),
      ) as PulledRecord;
    } catch {
      return undefined;
    }
  }

  /** True when the record names exactly this object version and this local size. */
  matches(r: PulledRecord, o: ObjectInfo, localBytes: number): boolean {
    return (
      r.v === 1 &&
      r.source === this.source &&
      r.key === o.key &&
      r.etag === o.etag &&
      r.size === o.size &&
      r.lastModified === o.lastModified.toISOString() &&
      r.bytes === localBytes
    );
  }

  async put(rel: string, o: ObjectInfo, bytes: number): Promise<void> {
    const rec: PulledRecord = {
      v: 1,
      source: this.source,
      key: o.key,
      etag: o.etag,
      size: o.size,
      lastModified: o.lastModified.toISOString(),
      bytes,
    };
    const path = this.pathFor(rel);
    const folder = dirname(path);
    try {
      if (!this.made.has(folder)) {
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        this.made.add(folder);
      }
      // Written in place, without temp + rename: only the holder of the file's lock writes this
      // record, and one cut short by a crash does not parse, which reads as no record.
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, JSON.stringify(rec));
      } finally {
        closeSync(fd);
      }
    } catch {
      this.made.delete(folder);
    }
  }

  /** Forgets a path (before its file is replaced), so a crash mid-way leaves no stale claim. */
  async drop(rel: string): Promise<void> {
    try {
      unlinkSync(this.pathFor(rel));
    } catch {
      /* no record */
    }
  }
}
