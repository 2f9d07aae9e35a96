/**
 * Which export stream an object belongs to, for `archive freshness` (`--by`). Pure.
 *
 *   auto      per layout: a Vespa host and log type (`h1.example/access`), a Cloudflare dataset
 *             folder (the key's folder above its daily folder: `logs/http_requests`), an Amplitude
 *             project (`187520`; merged IDs `-ORGID`, as their file names write them), a Logz.io
 *             account (`123456`), and the whole location (`*`) for dated and generic archives
 *   folder    the key's folder above its first time folder (`svc-a` for `svc-a/2026/03/01/x.log`)
 *   host      the Vespa host (every log type together); `*` for keys without one
 *   location  one stream: the whole location
 */
import type { Entry } from '../filter.js';
import { folderBound } from '../layouts/time-folders.js';

export const STREAM_BY = ['auto', 'folder', 'host', 'location'] as const;
export type StreamBy = (typeof STREAM_BY)[number];

/** The stream of everything under the location. */
export const WHOLE = '*';

const YEAR = /^\d{4}$/;
const TWO = /^\d{2}$/;

/**
 * The folders of `key` above its first time folder (time-folders.ts readings), without the file
 * name: `cf/http_requests/20260301/x.log.gz` → `cf/http_requests`; `svc/2026/03/01/17/x` → `svc`.
 */
export function undatedFolder(key: string): string {
  const parts = key.split('/');
  parts.pop();
  for (let i = 1; i <= parts.length; i++) {
    if (folderBound(`${parts.slice(0, i).join('/')}/x`) === undefined) continue;
    // The first reading ends at segment i − 1; YYYY/MM is the one that begins a segment earlier.
    const start = i >= 2 && YEAR.test(parts[i - 2]) && TWO.test(parts[i - 1]) ? i - 2 : i - 1;
    return parts.slice(0, start).join('/');
  }
  return parts.join('/');
}

function orWhole(s: string | undefined): string {
  return s ? s : WHOLE;
}

export function streamOf(e: Entry, by: StreamBy): string {
  const f = e.facts;
  switch (by) {
    case 'location':
      return WHOLE;
    case 'host':
      return orWhole(f.host);
    case 'folder':
      return orWhole(undatedFolder(e.key));
    case 'auto':
      if (f.layout === 'vespa' && f.host) return `${f.host}/${f.kind ?? 'logs'}`;
      if (f.layout === 'cloudflare') return orWhole(undatedFolder(e.key));
      if (f.layout === 'amplitude') return orWhole(f.fields?.projectId ?? (f.fields?.orgId ? `-${f.fields.orgId}` : undefined));
      if (f.layout === 'logzio') return orWhole(f.fields?.accountId);
      return WHOLE;
  }
}
