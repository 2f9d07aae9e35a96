/**
 * The profile file: `$ARCHIVE_CONFIG_DIR/profiles.json`, else `$XDG_CONFIG_HOME/archive/profiles.json`,
 * else `~/.config/archive/profiles.json` (`%APPDATA%\archive` on Windows).
 *
 * It holds secrets, so it is treated like an SSH key: the directory is created 0700, the file is
 * written 0600 (atomically: temp file + fsync + rename, under a lock file so two concurrent
 * `profile add` runs cannot lose each other's change), and a file that group or others can read,
 * or that another user owns, is refused with a `chmod 600` hint instead of being used.
 */
import { open, readFile, rename, mkdir, stat, lstat, realpath, readlink, unlink, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AuthError, UsageError } from '../errors.js';
import { PROFILE_NAME, type Profile, type ProfilesFile } from './types.js';
import { fileAgeMs } from '../fs-clock.js';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARCHIVE_CONFIG_DIR) return env.ARCHIVE_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'archive');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'archive');
  return join(env.HOME || homedir(), '.config', 'archive');
}

export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'profiles.json');
}

const posix = process.platform !== 'win32';

function empty(): ProfilesFile {
  return { version: 1, profiles: {} };
}

/** Reads the profile file; a missing file is an empty store. */
export async function readProfiles(path: string): Promise<ProfilesFile> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new UsageError(`${path} is not a file`, { hint: `remove it, or point ARCHIVE_CONFIG_DIR elsewhere` });
    if (posix) {
      const uid = process.getuid?.();
      // Root too (as ssh does for its config): a file another user owns can be rewritten by them.
      if (uid !== undefined && st.uid !== uid) {
        throw new AuthError(`refusing to read ${path}: it belongs to another user (uid ${st.uid})`, {
          hint: `the profile file holds secrets and must be yours: \`chown ${uid} ${path} && chmod 600 ${path}\``,
        });
      }
      if (st.mode & 0o077) {
        throw new AuthError(
          `refusing to read ${path}: it holds secrets but is readable by others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`,
          {
            hint: `restrict it with \`chmod 600 ${path}\` (and rotate any key others may have read)`,
          },
        );
      }
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return empty();
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AuthError(`cannot read the profile file ${path}: permission denied`, {
        serviceCode: code,
        hint: `check its owner and mode: \`ls -l ${path}\`; it should be yours with mode 600`,
      });
    }
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`the profile file ${path} is not valid JSON`, {
      hint: `fix it by hand, or move it away and add the profiles again (\`archive profile add\`)`,
    });
  }
  const f = data as Partial<ProfilesFile>;
  if (!f || typeof f !== 'object' || f.version !== 1 || typeof f.profiles !== 'object' || f.profiles === null) {
    throw new UsageError(`the profile file ${path} has an unknown format`, {
      hint: 'it may come from a newer version of archive; upgrade, or move it away',
    });
  }
  for (const [name, p] of Object.entries(f.profiles)) {
    if (!p || (p.provider !== 'azure' && p.provider !== 's3' && p.provider !== 'gcs') || !p.auth || typeof p.auth.type !== 'string') {
      throw new UsageError(`the profile file ${path} has a broken entry "${name}"`, {
        hint: `remove it with \`archive profile remove ${name}\` and add it again`,
      });
    }
  }
  return { version: 1, default: f.default, profiles: f.profiles as Record<string, Profile> };
}

async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock older than 30 s (on the file system's clock) belongs to a process that died mid-write.
      const st = await stat(lockPath).catch(() => undefined);
      if (st && fileAgeMs(lockPath, st.mtimeMs) > 30_000) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new UsageError(`the profile file is locked by another archive process (${lockPath})`, {
          hint: `if no other archive command is running, remove ${lockPath}`,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function writeAtomic(path: string, data: ProfilesFile): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(data, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    if (posix) await chmod(tmp, 0o600); // umask can only narrow, but be explicit
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * The file a write must replace. A profiles.json that is a symlink (dotfiles kept in a repo and
 * linked in by stow, chezmoi or home-manager) is written THROUGH: the temp file and the rename
 * go to the link's target, so the link survives and the user's dotfiles get the change. Replacing
 * the link with a regular file would silently fork the config. A dangling link is refused: we
 * would be creating a secrets file somewhere the user never chose.
 */
async function writeTarget(path: string): Promise<string> {
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st?.isSymbolicLink()) return path;
  try {
    return await realpath(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const to = resolve(dirname(path), await readlink(path));
    throw new UsageError(`${path} is a symlink to ${to}, which does not exist`, {
      hint: `create the target (\`touch ${to} && chmod 600 ${to}\`), or remove the link to keep profiles in ${dirname(path)}`,
    });
  }
}

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A config directory we may not write to is the user's to fix; say which one and the way out. */
function notWritable(e: unknown, dir: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (!code || !NOT_WRITABLE.has(code)) return e;
  const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
  return new AuthError(`cannot save profiles: the config directory ${dir} ${why}`, {
    serviceCode: code,
    hint: `make it writable (\`chmod u+w ${dir}\`), or point ARCHIVE_CONFIG_DIR at a directory you can write, e.g. \`export ARCHIVE_CONFIG_DIR=$HOME/.config/archive\``,
    cause: e,
  });
}

/**
 * Read-modify-write under the lock. The callback may throw to abort without writing.
 * Returns what the callback returned. Errors: AuthError (exit 3) when the config directory (or
 * a symlink's target directory) is not writable; UsageError for a dangling profiles.json link.
 */
export async function updateProfiles<T>(path: string, dir: string, fn: (f: ProfilesFile) => T | Promise<T>): Promise<T> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw notWritable(e, dir);
  }
  const target = await writeTarget(path);
  const targetDir = dirname(target);
  let release: () => Promise<void>;
  try {
    release = await lock(target);
  } catch (e) {
    throw notWritable(e, targetDir);
  }
  try {
    const f = await readProfiles(path);
    const result = await fn(f);
    try {
      await writeAtomic(target, f);
    } catch (e) {
      throw notWritable(e, targetDir);
    }
    return result;
  } finally {
    await release();
  }
}

export function checkProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`"${name}" is not a valid profile name`, {
      hint: 'use letters, digits, ".", "_" and "-" (starting with a letter or digit), at most 64 characters',
    });
  }
}

export function unknownProfile(name: string, f: ProfilesFile, path: string): UsageError {
  const names = Object.keys(f.profiles).sort();
  return new UsageError(`unknown profile "${name}"`, {
    hint: names.length
      ? `saved profiles: ${names.join(', ')} (in ${path}); add one with \`archive profile add ${name} LOCATION\``
      : `no profiles are saved yet (${path}); add one with \`archive profile add ${name} LOCATION\``,
  });
}
