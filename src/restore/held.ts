/**
 * What `pull`, `cat` and `query` say about the archived objects they did not read: one summary
 * (count, bytes, per tier, the oldest) and the exact `archive restore …` command, then the error
 * that ends the run with exit 5 — or, with --skip-archived, the same lines as a note and exit 0.
 * Pure apart from the entries it is given.
 */
import type { Entry } from '../filter.js';
import { ArchivedError } from '../errors.js';
import { formatBytes, formatTime } from '../output/format.js';
import { restoreCommand, type CommandFilters } from './command-line.js';
import { tierLabel } from '../providers/cold-state.js';
import { printable } from './text.js';

export interface HeldBack {
  objects: number;
  bytes: number;
  /** Of those, already being rehydrated/restored. */
  restoring: number;
  /** Objects per tier label (`Archive`, `GLACIER (restoring)` …). */
  tiers: Record<string, number>;
  oldest?: { key: string; time: Date };
}

export function heldBack(entries: readonly Entry[]): HeldBack {
  const h: HeldBack = { objects: 0, bytes: 0, restoring: 0, tiers: {} };
  for (const e of entries) {
    h.objects++;
    h.bytes += e.size;
    if (e.cold === 'restoring') h.restoring++;
    // No cold state: the listing said readable, the service refused the read as archived.
    const t = e.cold ? tierLabel(e, e.cold, false) || 'archived' : 'refused as archived';
    h.tiers[t] = (h.tiers[t] ?? 0) + 1;
    if (!h.oldest || e.time < h.oldest.time || (e.time.getTime() === h.oldest.time.getTime() && e.key < h.oldest.key))
      h.oldest = { key: e.key, time: e.time };
  }
  return h;
}

export interface HeldSource {
  /** The location as the user typed it (a SAS in it is never printed). */
  location: string;
  entries: readonly Entry[];
}

export interface HeldReport {
  held: HeldBack;
  /** One restore command per location that has archived objects. */
  commands: string[];
  /** Lines for stderr (human output: keys and service values escaped). */
  lines: string[];
  /** The error that ends the run (exit 5), unless --skip-archived. */
  error?: ArchivedError;
}

/** Kinds to name in the printed command when the data command took only some kinds by default. */
function namedKinds(entries: readonly Entry[]): string[] | undefined {
  const kinds = new Set<string>();
  for (const e of entries) {
    if (!e.facts.kind) return undefined; // an object with no kind cannot be selected by --kind
    kinds.add(e.facts.kind);
  }
  return [...kinds].sort();
}

/**
 * `verb`: what the command did not do (`pulled`, `read`, `queried`). `recordsOnly`: the command
 * took only log records by default (cat, query), so the command names their kinds.
 */
export function heldReport(
  sources: readonly HeldSource[],
  o: { verb: string; filters: CommandFilters; now: Date; skip: boolean; recordsOnly?: boolean; dryRun?: boolean },
): HeldReport | undefined {
  const all = sources.flatMap((s) => s.entries);
  if (!all.length) return undefined;
  const held = heldBack(all);
  const n = held.objects;
  const tiers = Object.entries(held.tiers)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([t, c]) => `${printable(t)} ${c}`)
    .join(', ');
  const would = o.dryRun ? 'would not be' : n === 1 ? 'was not' : 'were not';
  const lines = [
    `archive: ${n} archived object${n === 1 ? '' : 's'} (${formatBytes(held.bytes)}; ${tiers}) ${would} ${o.verb}: they must be restored first`,
  ];
  if (held.oldest) lines.push(`  oldest: ${formatTime(held.oldest.time)} ${printable(held.oldest.key)}`);
  if (held.restoring)
    lines.push(
      `  ${held.restoring === n ? 'all of them are' : `${held.restoring} of them are`} already being restored: the command below reports them and --wait waits for them`,
    );
  const commands: string[] = [];
  let sasDropped = false;
  for (const s of sources) {
    if (!s.entries.length) continue;
    const c = restoreCommand(s.location, o.filters, o.now, o.recordsOnly && !o.filters.kind?.length ? namedKinds(s.entries) : undefined);
    commands.push(c.line);
    sasDropped ||= c.sasDropped;
  }
  if (sasDropped)
    lines.push(
      '  the SAS is left out of the restore command: a restore needs one that may write (w), an account key, or a principal with Storage Blob Data Contributor',
    );
  const again = `run this command again (or add --skip-archived to ${o.verb === 'queried' ? 'answer' : 'finish'} without them, exit 0)`;
  if (o.skip) {
    for (const c of commands) lines.push(`  restore: ${c}`);
    lines.push('  --skip-archived: the run counts as complete without them');
  }
  const error = o.skip
    ? undefined
    : new ArchivedError(`${n} archived object${n === 1 ? '' : 's'} ${would} ${o.verb}: restore them, then ${again}`, {
        hint: commands.join(' ; '),
        // Each word quoted by shellWord (restore/text.ts): nothing raw, and exact when pasted.
        hintIsSafe: true,
      });
  return { held, commands, lines, error };
}
