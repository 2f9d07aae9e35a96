/**
 * The layout registry. Adding a vendor is one new file beside this one and one line in LAYOUTS;
 * the order of LAYOUTS is the auto-detection order, most specific first, `generic` last.
 */
import { UsageError } from '../errors.js';
import type { KeyFacts, Layout } from './types.js';
import { vespa } from './vespa.js';
import { cloudflare } from './cloudflare.js';
import { amplitude } from './amplitude.js';
import { logzio } from './logzio.js';
import { dated } from './dated.js';
import { generic } from './generic.js';

export type { KeyFacts, Layout } from './types.js';

export const LAYOUTS: readonly Layout[] = [vespa, cloudflare, amplitude, logzio, dated, generic];

export const AUTO = 'auto';

/** Every name --layout accepts, 'auto' first. */
export function layoutNames(): string[] {
  return [AUTO, ...LAYOUTS.map((l) => l.name)];
}

/** The first layout that recognises the key; `generic` recognises every key. */
export function detect(key: string): KeyFacts {
  for (const layout of LAYOUTS) {
    const facts = layout.parse(key);
    if (facts) return facts;
  }
  return { layout: 'generic' };
}

const autoLayout: Layout = {
  name: AUTO,
  description: 'Try each layout in turn and use the first that recognises the key',
  kinds: [...new Set(LAYOUTS.flatMap((l) => l.kinds))],
  hosts: LAYOUTS.some((l) => l.hosts),
  parse: detect,
};

const BY_NAME = new Map<string, Layout>([[AUTO, autoLayout], ...LAYOUTS.map((l): [string, Layout] => [l.name, l])]);

export function getLayout(name: string): Layout {
  const found = BY_NAME.get(name) ?? BY_NAME.get(name.trim().toLowerCase());
  if (found) return found;
  throw new UsageError(`unknown layout "${name}"`, { hint: `use one of: ${layoutNames().join(', ')}` });
}

/**
 * Facts for one key under the named layout ('auto' detects). A key the named layout does not
 * recognise still gets generic facts (kind from its extension, no time), so callers always get a
 * result; `facts.layout` tells which layout actually matched.
 */
export function parseKey(key: string, layoutName: string = AUTO): KeyFacts {
  const layout = getLayout(layoutName);
  return layout.parse(key) ?? generic.parse(key) ?? { layout: 'generic' };
}
