/**
 * Maps object keys to paths under DEST so that no key, whatever it contains, can write outside
 * DEST: `..`, absolute keys, backslashes, NUL/control characters and over-long names are all
 * neutralised here, and the final path is checked against DEST once more before use.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { resolve, sep, join } from 'node:path';
import { ArchiveError } from '../errors.js';

const MAX_SEGMENT_BYTES = 240; // leaves room for ".archive-part" suffixes under the 255-byte limit

function encodeSegment(seg: string): string {
  if (seg === '.' || seg === '..') return seg.replace(/\./g, '%2E');
  // Control characters (NUL included) and '%' itself are percent-encoded so the mapping is reversible.
  let out = seg.replace(/[\x00-\x1f\x7f%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (Buffer.byteLength(out) > MAX_SEGMENT_BYTES) {
    const hash = createHash('sha256').update(seg).digest('hex').slice(0, 12);
    let cut = out.slice(0, 200);
    while (Buffer.byteLength(cut) > 200) cut = cut.slice(0, -1);
    out = `${cut}~${hash}`;
  }
  return out;
}

/**
 * The path of a key relative to DEST. Keys are split on '/' and '\\' (a backslash is a separator
 * on Windows, and a key written there may carry one); empty segments (leading '/', '//') vanish.
 */
export function keyToRelativePath(key: string, opts: { stripPrefix?: string; flatten?: boolean } = {}): string {
  let rel = key;
  if (opts.stripPrefix && rel.startsWith(opts.stripPrefix)) rel = rel.slice(opts.stripPrefix.length);
  const segs = rel.split(/[/\\]+/).filter((s) => s.length > 0);
  const used = opts.flatten ? segs.slice(-1) : segs;
  // A key that is only slashes still needs a file name.
  return used.length ? used.map(encodeSegment).join(sep) : '%2F';
}

/** The directory part of a prefix: listing `logs/2026` maps keys relative to `logs/`. */
export function prefixDir(prefix: string): string {
  const i = prefix.lastIndexOf('/');
  return i < 0 ? '' : prefix.slice(0, i + 1);
}

/** Directories already checked in this process; pulls create the same folders many times over. */
const verifiedDirs = new Set<string>();

/** DEST created and resolved once per process: a realpath walks every level of the path. */
const preparedRoots = new Map<string, Promise<string>>();

function preparedRoot(root: string): Promise<string> {
  let p = preparedRoots.get(root);
  if (!p) {
    p = mkdir(root, { recursive: true }).then(() => realpath(root));
    preparedRoots.set(root, p);
    p.catch(() => preparedRoots.delete(root));
  }
  return p;
}

/**
 * Resolves a relative path under DEST and creates its folders one level at a time, refusing any
 * level that is a link leading out of DEST — so not even an empty folder is made outside it.
 */
export async function prepareDestination(destRoot: string, rel: string): Promise<string> {
  const root = resolve(destRoot);
  const full = resolve(root, rel);
  if (!full.startsWith(root + sep)) throw new ArchiveError(`refusing to write outside ${root}: ${rel}`, { serviceCode: 'UnsafePath' });
  const realRoot = await preparedRoot(root);
  const parts = full.slice(root.length + 1).split(sep);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (verifiedDirs.has(dir)) continue;
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      st = await lstat(dir);
    }
    if (st.isSymbolicLink()) {
      const target = await realpath(dir);
      if (target !== realRoot && !target.startsWith(realRoot + sep)) {
        throw new ArchiveError(`refusing to write outside ${root}: ${rel} passes through a link to ${target}`, {
          serviceCode: 'UnsafePath',
          // Running again meets the same link: say what does change the outcome.
          hint: `${dir} is a symbolic link out of DEST and is never followed: remove it (or replace it with a folder), or pull into another DEST`,
        });
      }
    } else if (!st.isDirectory()) {
      const e = new Error(`not a directory: ${dir}`) as NodeJS.ErrnoException;
      e.code = 'ENOTDIR';
      e.path = dir;
      throw e;
    }
    verifiedDirs.add(dir);
  }
  // A link at the final name itself is never followed: the completeness check uses lstat, and
  // rename() replaces the link with the verified file.
  return join(dir, parts[parts.length - 1]);
}
