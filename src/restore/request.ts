/**
 * The restore flags, checked against the provider before any request: Azure takes --tier
 * hot|cool|cold and --priority standard|high (and --copy-to), S3 --tier Standard|Bulk|Expedited
 * and --days. Pure; every mistake is a UsageError naming the fix.
 */
import { UsageError } from '../errors.js';
import type { ProviderKind, RestoreRequest } from '../providers/types.js';
import { parseDuration } from '../time.js';

export interface RestoreFlagValues {
  tier?: string;
  priority?: string;
  days?: string;
  copyTo?: string;
}

/** The default number of days an S3 restored copy stays: the cheapest, as rclone's `backend restore` (lifetime 1). */
export const DEFAULT_DAYS = 1;

const AZURE_TIERS: Record<string, 'Hot' | 'Cool' | 'Cold'> = { hot: 'Hot', cool: 'Cool', cold: 'Cold' };
const AZURE_PRIORITIES: Record<string, 'Standard' | 'High'> = { standard: 'Standard', high: 'High' };
const S3_TIERS: Record<string, 'Standard' | 'Bulk' | 'Expedited'> = { standard: 'Standard', bulk: 'Bulk', expedited: 'Expedited' };

/** `names`: how this command spells the flags (`--tier`, or pull's `--restore-tier`). */
export function restoreRequest(
  provider: ProviderKind,
  f: RestoreFlagValues,
  names = { tier: '--tier', priority: '--priority', days: '--days', copyTo: '--copy-to' },
): RestoreRequest {
  if (provider === 'azure') {
    if (f.days !== undefined)
      throw new UsageError(`${names.days} is for S3 restores`, {
        hint: `Azure rehydration is not temporary: the blob stays in the tier you choose (${names.tier} hot|cool|cold)`,
      });
    const tier = AZURE_TIERS[(f.tier ?? 'hot').toLowerCase()];
    if (!tier)
      throw new UsageError(`${names.tier} "${f.tier}": Azure rehydrates to hot, cool or cold`, {
        hint: S3_TIERS[(f.tier ?? '').toLowerCase()]
          ? `${f.tier} is an S3 retrieval tier; on Azure the speed is ${names.priority} standard|high`
          : `e.g. ${names.tier} hot`,
      });
    const priority = AZURE_PRIORITIES[(f.priority ?? 'standard').toLowerCase()];
    if (!priority)
      throw new UsageError(`${names.priority} "${f.priority}": expected standard or high`, {
        hint: 'high costs more and may finish in under an hour',
      });
    if (f.copyTo !== undefined && !f.copyTo.replace(/\/+$/, ''))
      throw new UsageError(`${names.copyTo} needs a key prefix`, {
        hint: `e.g. ${names.copyTo} restored/ (each copy is that prefix plus the blob's key)`,
      });
    return { provider: 'azure', tier, priority, ...(f.copyTo !== undefined ? { copyTo: f.copyTo } : {}) };
  }
  if (f.priority !== undefined)
    throw new UsageError(`${names.priority} is for Azure rehydration`, {
      hint: `on S3 the speed is the retrieval tier: ${names.tier} Expedited|Standard|Bulk`,
    });
  if (f.copyTo !== undefined)
    throw new UsageError(`${names.copyTo} is for Azure`, {
      hint: 'an S3 restore makes a temporary copy in place; copy it elsewhere once it is restored',
    });
  const tier = S3_TIERS[(f.tier ?? 'standard').toLowerCase()];
  if (!tier)
    throw new UsageError(`${names.tier} "${f.tier}": S3 retrieval tiers are Standard, Bulk and Expedited`, {
      hint: AZURE_TIERS[(f.tier ?? '').toLowerCase()]
        ? `${f.tier} is an Azure tier; S3 restores a temporary copy (${names.days} N)`
        : `e.g. ${names.tier} Standard`,
    });
  let days = DEFAULT_DAYS;
  if (f.days !== undefined) {
    days = Number(f.days);
    if (!/^\d+$/.test(f.days.trim()) || days < 1 || days > 36500)
      throw new UsageError(`${names.days} "${f.days}": expected a whole number of days, 1 or more`, {
        hint: 'how long the restored copy stays readable (S3 charges it as Standard storage meanwhile)',
      });
  }
  return { provider: 's3', tier, days };
}

/** The default time between --wait checks: 1 minute for the fast retrievals (S3 Expedited, Azure high priority), else 5. */
export function defaultIntervalMs(req: RestoreRequest): number {
  const fast = req.provider === 's3' ? req.tier === 'Expedited' : req.priority === 'High';
  return fast ? 60_000 : 300_000;
}

/** `--interval`: a duration (`30s`, `5m`, `1h`), at least 0.1 s. */
export function parseInterval(text: string | undefined, flag = '--interval'): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100)
    throw new UsageError(`${flag} "${text}": expected a duration of at least 0.1s, like 30s, 5m or 1h`, {
      hint: 'how long to wait between checks of the restore',
    });
  return ms;
}
