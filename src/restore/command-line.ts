/**
 * The `archive restore …` command a data command prints for the archived objects it did not read:
 * the same location and filters, so it restores exactly that selection. Pure.
 *
 * - Relative --since/--until (`2d`) become the instants they meant at this run (ISO, UTC), so the
 *   command selects the same window when it is run later.
 * - A SAS is never printed: a SAS URL is given without its query (and `--sas` is dropped); the
 *   caller says that the restore needs a credential that may write (`sasDropped`).
 * - Every word is quoted for bash/zsh (restore/text.ts shellWord), control characters as $'…'
 *   escapes, so the line is exact when pasted and shows nothing raw on a terminal.
 */
import { isoUtc, parseTimeSpec } from '../time.js';
import { shellWord } from './text.js';

export interface CommandFilters {
  since?: string;
  until?: string;
  kind?: string[];
  host?: string[];
  include?: string[];
  exclude?: string[];
  layout?: string;
  dedupe?: boolean;
  endpoint?: string;
  region?: string;
  sas?: string;
}

export interface RestoreCommand {
  /** The whole line, starting with `archive restore`. */
  line: string;
  /** The location held a SAS (or --sas was given) that the line leaves out. */
  sasDropped: boolean;
}

/** `location` without a URL's query (the SAS): scheme, host, path as typed. */
function withoutSas(location: string): { location: string; dropped: boolean } {
  if (!/^https?:\/\//i.test(location.trim())) return { location, dropped: false };
  const q = location.search(/[?#]/);
  return q === -1 ? { location, dropped: false } : { location: location.slice(0, q), dropped: /sig=/i.test(location.slice(q)) };
}

/**
 * `defaultKinds`: what the data command read when no --kind was given (cat and query: log
 * records only), named as --kind so the restore does not also bring back heap dumps and the like.
 */
export function restoreCommand(location: string, f: CommandFilters, now: Date, defaultKinds?: readonly string[]): RestoreCommand {
  const { location: loc, dropped } = withoutSas(location);
  const words = ['archive', 'restore', shellWord(loc)];
  const add = (flag: string, value: string) => words.push(flag, shellWord(value));
  if (f.since) add('--since', isoUtc(parseTimeSpec(f.since, '--since', now)));
  if (f.until) add('--until', isoUtc(parseTimeSpec(f.until, '--until', now)));
  const kinds = f.kind?.length ? f.kind : defaultKinds;
  if (kinds?.length) add('--kind', [...new Set(kinds.flatMap((k) => k.split(',')).map((k) => k.trim()))].filter(Boolean).join(','));
  for (const h of f.host ?? []) add('--host', h);
  for (const g of f.include ?? []) add('--include', g);
  for (const g of f.exclude ?? []) add('--exclude', g);
  if (f.layout && f.layout !== 'auto') add('--layout', f.layout);
  if (f.dedupe) words.push('--dedupe');
  if (f.endpoint) add('--endpoint', f.endpoint);
  if (f.region) add('--region', f.region);
  return { line: words.join(' '), sasDropped: dropped || !!f.sas };
}
