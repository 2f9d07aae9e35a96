/**
 * What `PROFILE:<TAB>` completes to: the folders one level below what was typed, read with one
 * delimiter listing of the profile's location (as rclone completes remote paths). The listing has
 * a short time-out: a shell that hangs on TAB is worse than one that offers nothing.
 */
import type { StorageProvider } from '../providers/types.js';

export const COMPLETION_TIMEOUT_MS = 2000;
/** Enough folders for a screen of choices; a shell asks before showing more anyway. */
export const MAX_COMPLETIONS = 200;

export interface CompletionDeps {
  /** The provider and resolved prefix for a location (`PROFILE:` alone is the profile's base). */
  open(location: string): Promise<{ provider: StorageProvider; prefix: string }>;
}

/** `word` split into its profile and the typed path, or undefined when it is no `PROFILE:` word. */
export function splitProfileWord(word: string): { profile: string; typed: string } | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*):(?!\/\/)(.*)$/.exec(word);
  return m ? { profile: m[1], typed: m[2] } : undefined;
}

/**
 * Completions for a `PROFILE:PATH` word: `PROFILE:` + each folder under the last complete `/` of
 * PATH whose name starts with what follows it. Errors and time-outs give no completions.
 */
export async function completeLocation(word: string, deps: CompletionDeps, timeoutMs = COMPLETION_TIMEOUT_MS): Promise<string[]> {
  const parts = splitProfileWord(word);
  if (!parts) return [];
  const dir = parts.typed.slice(0, parts.typed.lastIndexOf('/') + 1);
  const work = (async () => {
    const root = (await deps.open(`${parts.profile}:`)).prefix;
    const { provider, prefix } = dir ? await deps.open(`${parts.profile}:${dir}`) : await deps.open(`${parts.profile}:`);
    const base = root && !root.endsWith('/') ? `${root}/` : root;
    const listAt = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    const out: string[] = [];
    for await (const p of provider.listPrefixes(listAt)) {
      const rel = p.startsWith(base) ? p.slice(base.length) : p;
      if (!rel.startsWith(parts.typed)) continue;
      out.push(`${parts.profile}:${rel}`);
      if (out.length >= MAX_COMPLETIONS) break;
    }
    return out;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([work.catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
