/**
 * What `archive restore` prints, pure: one line per object (keys escaped for a terminal), the
 * summary a person reads, and the JSON document scripts read (values exact).
 */
import { formatBytes } from '../output/format.js';
import { formatDuration } from '../time.js';
import type { RestoreRequest } from '../providers/types.js';
import type { ObjectOutcome, RestoreResult } from './run.js';
import { printable } from './text.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function outcomeLine(x: ObjectOutcome): string {
  const key = printable(x.key);
  const tier = printable(x.tier || 'no tier');
  const copy = x.copy !== undefined ? ` → ${printable(x.copy)}` : '';
  switch (x.action) {
    case 'would-request':
      return `would restore ${key}${copy} (${tier}, ${formatBytes(x.size)})`;
    case 'requested':
      return `requested     ${key}${copy} (${tier}, ${formatBytes(x.size)})`;
    case 'raised':
      return `raised        ${key} (${tier}: priority raised to High)`;
    case 'restoring':
      return `restoring     ${key}${copy} (${tier}: already under way)`;
    case 'copied':
      return `copied        ${key}${copy} (the copy exists)`;
    case 'readable':
      return `readable      ${key} (${tier}${x.expiry ? `, restored copy until ${x.expiry.toISOString()}` : ''})`;
    default:
      return `failed        ${key}: ${printable(x.error?.message ?? 'failed')}${x.error?.code ? ` (${printable(x.error.code)})` : ''}`;
  }
}

/** `Archive → Hot, high priority` / `for 3 days, Standard retrieval` */
export function requestWords(req: RestoreRequest): string {
  if (req.provider === 'azure')
    return `${req.copyTo !== undefined ? `copied to ${printable(req.copyTo)}… in` : 'to'} ${req.tier}, ${req.priority.toLowerCase()} priority`;
  return `${req.days !== undefined ? `for ${plural(req.days, 'day')}, ` : ''}${req.tier} retrieval`;
}

export function summaryLines(r: RestoreResult, req: RestoreRequest, o: { dryRun: boolean; seconds: number }): string[] {
  const t = r.totals;
  const lines: string[] = [];
  const asked = o.dryRun ? t['would-request'] : t.requested + t.raised;
  const head = o.dryRun ? 'would restore' : 'requested';
  const parts = [`${head} ${plural(asked, 'object')} (${formatBytes(t.requestBytes)}) ${requestWords(req)}`];
  if (t.raised) parts.push(`${t.raised} of them already rehydrating, priority raised`);
  if (t.restoring) parts.push(`${t.restoring} already being restored`);
  if (t.copied) parts.push(`${t.copied} already copied`);
  if (t.readable) parts.push(`${t.readable} already readable`);
  if (t.failed + t.unavailable) parts.push(`${t.failed + t.unavailable} failed`);
  lines.push(`${parts.join(', ')}${o.dryRun ? '' : ` in ${formatDuration(o.seconds * 1000)}`}`);
  for (const g of r.estimates)
    lines.push(
      `  ${printable(g.from)}: ${plural(g.objects, 'object')} (${formatBytes(g.bytes)}): ${g.unavailable ?? `documented retrieval time ${g.time}`}`,
    );
  if (!asked && !t.restoring && !t.failed && !t.unavailable) lines.push('  nothing to restore: every selected object is readable');
  return lines;
}

/** `-o json`: every object and the totals, one document (`-o ndjson`: a line each, then the summary). */
export function jsonReport(r: RestoreResult, o: { dryRun: boolean; seconds: number }): { objects: unknown[]; summary: unknown } {
  return {
    objects: r.objects.map((x) => ({
      key: x.key,
      size: x.size,
      tier: x.tier,
      state: x.state,
      action: x.action,
      ...(x.copy !== undefined ? { copy: x.copy } : {}),
      ...(x.expiry ? { expiry: x.expiry.toISOString() } : {}),
      ...(x.error ? { error: x.error } : {}),
    })),
    summary: {
      ...r.totals,
      estimates: r.estimates,
      dryRun: o.dryRun,
      seconds: o.seconds,
      ...(r.waited ? { waited: r.waited } : {}),
    },
  };
}
