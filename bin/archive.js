#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Node >= 22.1 caches compiled code between runs (absent on Node 20: nothing happens there). The
 * cache lives in a directory of the user's own (XDG_CACHE_HOME or ~/.cache, LOCALAPPDATA on
 * Windows, then archive-cli/compile-cache), created 0700: Node's default is a shared directory
 * under /tmp, where another user could plant entries. A directory that cannot be made, is not
 * ours or is open to others means no cache, never a failure. NODE_COMPILE_CACHE, when set, wins.
 */
function compileCacheDir() {
  const base = process.platform === 'win32' ? process.env.LOCALAPPDATA : process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  if (!base) return undefined;
  const dir = join(base, 'archive-cli', 'compile-cache');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    if (process.platform !== 'win32' && (st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
if (module.enableCompileCache && !process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  const dir = compileCacheDir();
  if (dir) module.enableCompileCache(dir);
}
// --verbose prints stacks: map bundle positions back to src/ (and the SDKs' own files). Only then,
// as parsing the maps costs start-up time; it must happen before dist/ loads.
if (process.argv.includes('--verbose') || process.argv.includes('-v')) process.setSourceMapsEnabled?.(true);

import('../dist/main.js').catch((err) => {
  process.stderr.write(
    `archive: failed to start (${err?.code ? err.code : 'build missing?'})\nhint: run \`npm run build\` in the package directory\n`,
  );
  process.exit(1);
});
