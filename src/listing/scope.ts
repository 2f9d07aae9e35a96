/**
 * --kind and --host pruning, pure: which kinds and hosts the keys below a folder can have under the
 * chosen layout, and so whether a folder can hold anything the filter keeps.
 *
 * Sound because it over-approximates exactly what listEntries does to each key: the layout's parse
 * (or generic's, when it declines), then kind 'probe' for `.archive-validate/` keys and 'folder'
 * for markers, whatever the layout. Each layout declares the kinds it can give (Layout.kinds) and
 * whether it gives hosts (only Vespa does). The one place the folder itself narrows the answer is
 * Vespa's rule (layouts/vespa.ts): below `HOST/logs/TYPE/` only the direct files can be Vespa keys,
 * all of host HOST and kind TYPE; anything deeper is not Vespa at all.
 */
import { getLayout, LAYOUTS } from '../layouts/index.js';
import { generic } from '../layouts/generic.js';
import { vespa, vespaFolder, LOG_TYPES } from '../layouts/vespa.js';

export interface Scope {
  /** Layout name or 'auto', as listEntries is given it. */
  layout: string;
  /** --kind values, lower-cased; empty: any kind. */
  kinds: ReadonlySet<string>;
  /** --host test; undefined: any host. */
  hostMatch?: (host: string) => boolean;
}

export interface Possible {
  kinds: ReadonlySet<string>;
  /** 'any', 'none', or the one host every hosted key below has. */
  host: string | { any: true } | { none: true };
}

/** Kinds listEntries gives whatever the layout says. */
const ALWAYS = ['probe', 'folder'];

function chain(layout: string): { vespa: boolean; others: string[] } {
  const l = getLayout(layout);
  if (l.name === 'auto') return { vespa: true, others: LAYOUTS.filter((x) => x !== vespa).flatMap((x) => x.kinds) };
  return { vespa: l === vespa, others: l === vespa ? [...generic.kinds] : [...l.kinds, ...generic.kinds] };
}

/** Whether the layout (or auto's chain) can read keys as Vespa's, so Vespa's folder and name rules apply. */
export function vespaPossible(layout: string): boolean {
  return chain(layout).vespa;
}

/** Every kind and host a key below `folder` (a path ending in '/', or '') can have. */
export function possibleBelow(folder: string, layout: string): Possible {
  const c = chain(layout);
  const base = [...c.others, ...ALWAYS];
  if (!c.vespa) return { kinds: new Set(base), host: { none: true } };
  const v = vespaFolder(folder);
  if (!v) return { kinds: new Set([...base, ...vespa.kinds]), host: { any: true } };
  if (v.nested) return { kinds: new Set(base), host: { none: true } };
  return { kinds: new Set([...base, v.type]), host: v.host };
}

/**
 * Why nothing below `folder` can pass --kind/--host, or undefined when something might. Two
 * strings: the reason for this folder, and the one a run of skipped siblings is summarised by.
 */
export function scopeExcludes(folder: string, s: Scope): { reason: string; run: string } | undefined {
  if (!s.hostMatch && !s.kinds.size) return undefined;
  const p = possibleBelow(folder, s.layout);
  if (s.hostMatch) {
    if (typeof p.host === 'string') {
      if (!s.hostMatch(p.host))
        return { reason: `its Vespa host ${p.host} does not match --host`, run: 'their Vespa hosts do not match --host' };
    } else if ('none' in p.host) {
      return { reason: 'no key below it can have a host (--host)', run: 'no key below them can have a host (--host)' };
    }
  }
  if (s.kinds.size && ![...s.kinds].some((k) => p.kinds.has(k))) {
    const what = `--kind ${[...s.kinds].join(',')}`;
    return { reason: `no key below it can be ${what}`, run: `no key below them can be ${what}` };
  }
  return undefined;
}

/**
 * Whether walking down to Vespa log folders can skip any (so the planner walks deeper than it
 * would for time folders alone): --host, or a --kind some log-type folder cannot hold.
 */
export function scopeWalksDeep(s: Scope): boolean {
  if (!s.hostMatch && !s.kinds.size) return false;
  if (!chain(s.layout).vespa) return false;
  if (s.hostMatch) return true;
  return LOG_TYPES.some((t) => scopeExcludes(`h/logs/${t}/`, s) !== undefined);
}
