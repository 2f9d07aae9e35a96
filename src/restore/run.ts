/**
 * `archive restore` as a library call: list (the same pruned listing and filters as pull), decide
 * per object from its tier and restore state, ask the service for what is archived (Set Blob Tier
 * or Copy Blob on Azure, RestoreObject on S3), and optionally wait until every object is readable.
 * Idempotent: objects already rehydrating/restoring, restored or online are reported, never asked
 * for again (the one exception: an Azure rehydration at standard priority when high is asked for,
 * which Set Blob Tier may raise). Rendering belongs to the command; this module only emits events.
 */
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArchiveError, PartialFailureError, TransientError, errorForExitCode } from '../errors.js';
import type { Entry } from '../filter.js';
import { listEntries, nothingUnder, prefixIsEmpty, type ListOptions, type ListTotals } from '../listing.js';
import type { ObjectInfo, ProviderKind, RestoreRequest, StorageProvider } from '../providers/types.js';
import { dedupe } from '../listing/dedupe.js';
import {
  coldState,
  readable,
  rehydrationTarget,
  retrievalTime,
  tierLabel,
  type ColdState,
  type RetrievalTime,
} from '../providers/cold-state.js';

/**
 * requested: asked for now; raised: an Azure rehydration's priority raised to High; restoring:
 * already under way; readable: online, rehydrated or restored already (nothing to do); copied:
 * the --copy-to destination exists and is readable; failed: the request failed; unavailable: the
 * request cannot be made (S3 Expedited from Deep Archive); would-request: --dry-run.
 */
export type RestoreAction = 'requested' | 'raised' | 'restoring' | 'readable' | 'copied' | 'failed' | 'unavailable' | 'would-request';

export interface ObjectOutcome {
  key: string;
  size: number;
  time: Date;
  /** Tier label as listed (`Archive`, `GLACIER (restoring)` …). */
  tier: string;
  state: ColdState;
  action: RestoreAction;
  /** --copy-to: the key the readable copy gets. */
  copy?: string;
  /** S3 restored copies: when they are removed again. */
  expiry?: Date;
  /** A request was sent for it (whatever the answer), or would be with --dry-run. */
  asked?: boolean;
  error?: { message: string; code?: string; hint?: string; exitCode: number };
}

export interface RestoreOptions extends ListOptions {
  /** What to ask for; `copyTo` (Azure) is a key prefix: each copy is that prefix plus the object's key. */
  request: RestoreRequest;
  dedupe?: boolean;
  concurrency: number;
  dryRun?: boolean;
  /** Poll until every requested or restoring object is readable, every `intervalMs`. */
  wait?: { intervalMs: number };
  signal?: AbortSignal;
}

export interface WaitStatus {
  /** Objects waited for, and how many of them (and their bytes) are readable now. */
  total: number;
  totalBytes: number;
  done: number;
  doneBytes: number;
  /** Polls made so far (0: the state right after the requests). */
  polls: number;
  elapsedMs: number;
  nextInMs?: number;
}

export interface RestoreEvents {
  /** Each object once its outcome is known (requests answered, or the plan with --dry-run). */
  object?(o: ObjectOutcome): void;
  /** Before the first poll and after each one. */
  wait?(s: WaitStatus): void;
  retry?(key: string, err: unknown, attempt: number): void;
}

export interface EstimateGroup extends RetrievalTime {
  objects: number;
  bytes: number;
}

export interface RestoreResult {
  provider: ProviderKind;
  objects: ObjectOutcome[];
  totals: Record<RestoreAction, number> & { objects: number; bytes: number; requestBytes: number };
  /** Documented retrieval times for what was (or would be) requested, per source tier. */
  estimates: EstimateGroup[];
  /** Set with --wait once every waited-for object is readable. */
  waited?: { objects: number; bytes: number; polls: number; seconds: number };
  leftOut?: Record<string, number>;
}

/** Transient request failures (throttling, 5xx, resets) are retried: a restore of thousands of blobs meets some. */
const REQUEST_ATTEMPTS = 4;

function describe(err: unknown): ArchiveError {
  return err instanceof ArchiveError ? err : new ArchiveError((err as Error)?.message ?? String(err), { cause: err });
}

function outcomeError(err: unknown): ObjectOutcome['error'] {
  const e = describe(err);
  const hint =
    e.serviceCode === 'GlacierExpeditedRetrievalNotAvailable'
      ? 'Expedited capacity is not available right now: retry later, or use --tier Standard'
      : e.hint;
  return { message: e.message, code: e.serviceCode, hint, exitCode: e.exitCode };
}

/** The copy's key: `prefix` + the object's key (the whole key, so the copy keeps its layout below the prefix). */
export function copyKey(copyTo: string, key: string): string {
  return `${copyTo.replace(/\/*$/, '/')}${key}`;
}

/** An S3 object is in an Intelligent-Tiering archive tier only if HEAD says so: the listing cannot tell. */
async function intelligentTieringState(provider: StorageProvider, e: Entry): Promise<{ info: ObjectInfo; state: ColdState }> {
  const info = await provider.stat(e.key);
  return { info, state: coldState(info, provider.kind) };
}

export async function restore(
  provider: StorageProvider,
  prefix: string,
  o: RestoreOptions,
  ev: RestoreEvents = {},
): Promise<RestoreResult> {
  const kind = provider.kind;
  if (!provider.restore) throw new ArchiveError(`${provider.describe()}: this storage cannot restore objects`);
  const listed: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  let entries: Entry[] = [];
  for await (const e of listEntries(provider, prefix, { ...o, take: 'data' }, listed)) entries.push(e);
  if (!listed.count && (await prefixIsEmpty(provider, prefix))) throw nothingUnder(provider, prefix);
  if (o.dedupe) entries = dedupe(entries).kept;
  const req = o.request;
  const copyTo = req.provider === 'azure' ? req.copyTo : undefined;

  // The copies themselves, when --copy-to lies under the location, are not sources of copies.
  if (copyTo !== undefined) entries = entries.filter((e) => !e.key.startsWith(copyKey(copyTo, '')));
  // --copy-to: what already exists at the destination decides (one flat listing of it).
  const copies = new Map<string, Entry>();
  if (copyTo !== undefined)
    for await (const c of listEntries(provider, copyKey(copyTo, prefix), { layout: 'generic', now: o.now })) copies.set(c.key, c);

  const outcomes: ObjectOutcome[] = [];
  const toRequest: Array<{ entry: Entry; out: ObjectOutcome; request: RestoreRequest }> = [];
  const limit = pLimit(Math.max(1, o.concurrency));
  await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        let state: ColdState = entry.cold ?? 'online';
        let info: Pick<ObjectInfo, 'tier' | 'restore' | 'archiveAccess'> = entry;
        if (kind === 's3' && state === 'online' && entry.tier === 'INTELLIGENT_TIERING') {
          try {
            ({ info, state } = await intelligentTieringState(provider, entry));
          } catch (err) {
            outcomes.push({ ...base(entry, entry, 'online'), action: 'failed', error: outcomeError(err) });
            return;
          }
        }
        const out = base(entry, info, state);
        if (copyTo !== undefined && state !== 'online') {
          out.copy = copyKey(copyTo, entry.key);
          const existing = copies.get(out.copy);
          if (existing) {
            out.action = readable(existing.cold) ? 'copied' : 'restoring';
            outcomes.push(out);
            return;
          }
        }
        if (state === 'online' || state === 'restored' || (state === 'restoring' && !raise(req, info))) {
          out.action = state === 'restoring' ? 'restoring' : 'readable';
          outcomes.push(out);
          return;
        }
        let request: RestoreRequest = req;
        if (req.provider === 'azure' && copyTo !== undefined) request = { ...req, copyTo: out.copy };
        if (req.provider === 's3') {
          // Intelligent-Tiering archive tiers take no Days (the object moves back to Frequent Access).
          if (info.archiveAccess) request = { provider: 's3', tier: req.tier };
          const from = info.archiveAccess ?? info.tier ?? '';
          const t = retrievalTime('s3', from, { tier: req.tier });
          if (t.unavailable) {
            out.action = 'unavailable';
            out.error = {
              message: `restore ${entry.key}: ${t.unavailable}`,
              code: 'InvalidTier',
              hint: 'restore Deep Archive objects with --tier Standard or Bulk (a second run for them; the others are not asked twice)',
              exitCode: 2,
            };
            outcomes.push(out);
            return;
          }
        }
        out.action = o.dryRun ? 'would-request' : state === 'restoring' ? 'raised' : 'requested';
        out.asked = true;
        outcomes.push(out);
        toRequest.push({ entry, out, request });
      }),
    ),
  );
  outcomes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  if (!o.dryRun) {
    await Promise.all(
      toRequest.map(({ entry, out, request }) =>
        limit(async () => {
          o.signal?.throwIfAborted();
          for (let attempt = 1; ; attempt++) {
            try {
              const answer = await provider.restore!(entry.key, request);
              if (answer === 'in-progress') out.action = 'restoring';
              else if (answer === 'restored' || answer === 'not-archived') out.action = 'readable';
              else if (answer === 'exists') out.action = 'copied';
              break;
            } catch (err) {
              if (o.signal?.aborted) throw err;
              if (err instanceof TransientError && attempt < REQUEST_ATTEMPTS) {
                ev.retry?.(entry.key, err, attempt);
                await sleep(Math.max(err.retryAfterMs ?? 0, 250 * 2 ** attempt), undefined, { signal: o.signal });
                continue;
              }
              out.action = 'failed';
              out.error = outcomeError(err);
              break;
            }
          }
        }),
      ),
    );
  }
  for (const out of outcomes) ev.object?.(out);

  const result: RestoreResult = {
    provider: kind,
    objects: outcomes,
    totals: tally(outcomes),
    estimates: estimates(kind, outcomes, req),
    leftOut: listed.leftOut,
  };
  if (o.wait && !o.dryRun && !outcomes.some((x) => x.action === 'failed' || x.action === 'unavailable'))
    result.waited = await waitReadable(provider, prefix, o, outcomes, ev);
  return result;
}

function base(entry: Entry, info: Pick<ObjectInfo, 'tier' | 'restore' | 'archiveAccess'>, state: ColdState): ObjectOutcome {
  const out: ObjectOutcome = {
    key: entry.key,
    size: entry.size,
    time: entry.time,
    tier: tierLabel(info, state, false),
    state,
    action: 'readable',
  };
  if (info.restore?.expiry) out.expiry = info.restore.expiry;
  return out;
}

/** Set Blob Tier may raise a pending rehydration from Standard to High priority (same target tier only). */
function raise(req: RestoreRequest, info: Pick<ObjectInfo, 'restore'>): boolean {
  if (req.provider !== 'azure' || req.copyTo !== undefined || req.priority !== 'High') return false;
  const r = info.restore;
  return !!r && r.priority !== 'High' && rehydrationTarget(r.status) === req.tier;
}

function tally(outcomes: readonly ObjectOutcome[]): RestoreResult['totals'] {
  const t = {
    objects: 0,
    bytes: 0,
    requestBytes: 0,
    requested: 0,
    raised: 0,
    restoring: 0,
    readable: 0,
    copied: 0,
    failed: 0,
    unavailable: 0,
    'would-request': 0,
  };
  for (const x of outcomes) {
    t.objects++;
    t.bytes += x.size;
    t[x.action]++;
    if (x.action === 'requested' || x.action === 'would-request' || x.action === 'raised') t.requestBytes += x.size;
  }
  return t;
}

function estimates(kind: ProviderKind, outcomes: readonly ObjectOutcome[], req: RestoreRequest): EstimateGroup[] {
  const groups = new Map<string, EstimateGroup>();
  for (const x of outcomes) {
    if (x.action !== 'requested' && x.action !== 'would-request' && x.action !== 'raised') continue;
    const from = x.tier.replace(/ .*$/, '');
    let g = groups.get(from);
    if (!g) {
      const t = retrievalTime(kind, from, req.provider === 'azure' ? { priority: req.priority } : { tier: req.tier });
      groups.set(from, (g = { ...t, objects: 0, bytes: 0 }));
    }
    g.objects++;
    g.bytes += x.size;
  }
  return [...groups.values()].sort((a, b) => (a.from < b.from ? -1 : 1));
}

/**
 * Re-lists the same selection (or, with --copy-to, the destination prefix) every interval until
 * each object waited for is readable. An S3 object a listing still shows as archived after its
 * restore was accepted (a store whose listing gives no RestoreStatus) is asked with HEAD.
 */
async function waitReadable(
  provider: StorageProvider,
  prefix: string,
  o: RestoreOptions,
  outcomes: readonly ObjectOutcome[],
  ev: RestoreEvents,
): Promise<RestoreResult['waited']> {
  const started = Date.now();
  const waitFor = new Map<string, ObjectOutcome>();
  for (const x of outcomes)
    if (x.action === 'requested' || x.action === 'raised' || x.action === 'restoring') waitFor.set(x.copy ?? x.key, x);
  const total = waitFor.size;
  const totalBytes = [...waitFor.values()].reduce((n, x) => n + x.size, 0);
  let done = 0;
  let doneBytes = 0;
  let polls = 0;
  const copyTo = o.request.provider === 'azure' ? o.request.copyTo : undefined;
  const status = (nextInMs?: number): WaitStatus => ({
    total,
    totalBytes,
    done,
    doneBytes,
    polls,
    elapsedMs: Date.now() - started,
    nextInMs,
  });
  ev.wait?.(status(o.wait!.intervalMs));
  while (waitFor.size) {
    await sleep(o.wait!.intervalMs, undefined, { signal: o.signal });
    polls++;
    const seen = new Map<string, Entry>();
    const listing =
      copyTo !== undefined
        ? listEntries(provider, copyKey(copyTo, prefix), { layout: 'generic', now: o.now })
        : listEntries(provider, prefix, { ...o, take: 'data' });
    for await (const e of listing) if (waitFor.has(e.key)) seen.set(e.key, e);
    const heads: string[] = [];
    for (const [key, x] of waitFor) {
      const e = seen.get(key);
      if (!e)
        throw new ArchiveError(`restore: ${key} is no longer listed while waiting for it`, {
          hint: 'it was deleted or moved; run the restore again',
        });
      // Intelligent-Tiering archive tiers show in HEAD only; so does a restore on a store whose listing has no RestoreStatus.
      if (provider.kind === 's3' && (x.tier.startsWith('INTELLIGENT_TIERING') || e.cold === 'archived')) heads.push(key);
      else if (readable(e.cold)) {
        waitFor.delete(key);
        done++;
        doneBytes += x.size;
      }
    }
    const limit = pLimit(Math.max(1, o.concurrency));
    await Promise.all(
      heads.map((key) =>
        limit(async () => {
          const info = await provider.stat(key);
          if (readable(coldState(info, provider.kind))) {
            const x = waitFor.get(key)!;
            waitFor.delete(key);
            done++;
            doneBytes += x.size;
          }
        }),
      ),
    );
    ev.wait?.(status(waitFor.size ? o.wait!.intervalMs : undefined));
  }
  return { objects: total, bytes: totalBytes, polls, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** Exit codes as pull's: 5 when some requests failed, that failure's own code when all failed alike. */
export function restoreExitError(result: RestoreResult): ArchiveError | undefined {
  const failed = result.objects.filter((x) => x.action === 'failed' || x.action === 'unavailable');
  if (!failed.length) return undefined;
  const first = failed[0].error!;
  // What was asked for (or could not be): objects that were readable or restoring already are neither success nor failure here.
  const asked = result.objects.filter((x) => x.asked || x.action === 'unavailable').length;
  const details = {
    serviceCode: first.code,
    hint: first.hint ?? 'run the same command again: objects already requested are not asked for twice',
  };
  if (asked === failed.length && failed.every((x) => x.error?.exitCode === first.exitCode))
    return errorForExitCode(
      first.exitCode,
      failed.length === 1 ? first.message : `all ${failed.length} restore requests failed; first: ${first.message}`,
      details,
    );
  return new PartialFailureError(`${failed.length} of ${asked} restore requests failed; first: ${first.message}`, details);
}
