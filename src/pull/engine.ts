/**
 * `pull` as a library call: list → plan → parallel verified transfers → report.
 * Rendering (progress, tables, JSON) belongs to the command; this module only emits events.
 */
import pLimit from 'p-limit';
import { setMaxListeners } from 'node:events';
import { access, lstat, mkdir, constants, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ArchiveError,
  ArchivedError,
  IntegrityError,
  PartialFailureError,
  UsageError,
  errorForExitCode,
  objectFailureExitCode,
} from '../errors.js';
import { listEntries, nothingUnder, prefixIsEmpty, type ListOptions, type ListTotals } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { disambiguate, planItem, shardAssigner, type PullItem, type Shard } from './plan.js';
import { dedupe, type DuplicateNote } from '../listing/dedupe.js';
import { prefixDir, prepareDestination } from './safe-path.js';
import {
  PART_SUFFIX,
  STATE_SUFFIX,
  TMP_SUFFIX,
  Transfer,
  describeTransferError,
  diskState,
  type Placement,
  type TransferOutcome,
} from './transfer.js';
import { findStale, removeStale, type StaleFile } from './stale.js';
import { tryLock, waitLock, type FileLock, type LockOwner } from './file-lock.js';
import { PulledRecords } from './pulled-record.js';
import { EndpointHealth } from './endpoint-health.js';
import { readable, tierLabel } from '../providers/cold-state.js';

export interface PullOptions extends ListOptions {
  dest: string;
  concurrency: number;
  decompress?: boolean;
  flatten?: boolean;
  dryRun?: boolean;
  shard?: Shard;
  dedupe?: boolean;
  wantSha256?: boolean;
  multipartThreshold?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  /** Where the records of what each file holds live (pulled-record.ts stateRoot(env) of the run). */
  stateDir?: string;
  /** Give up on a file another run holds after this long without progress (0: wait for ever). */
  lockTimeoutMs?: number;
  /** Remove the part, state, temp and lock files of objects this run does not select (stale.ts). */
  cleanParts?: boolean;
}

/** archived: in an archive tier (or refused as archived by the service), not read: `archive restore` first. */
export type FileStatus = 'downloaded' | 'skipped' | 'failed' | 'duplicate' | 'planned' | 'archived';
export interface FileReport {
  key: string;
  path: string;
  /** Bytes of the local file (decoded size with --decompress). */
  bytes: number;
  objectBytes: number;
  sha256?: string;
  status: FileStatus;
  verified?: 'md5' | 'size';
  resumedBytes?: number;
  /** With --dry-run: what a real run would do with this file, from what is on disk. */
  planned?: 'pull' | 'resume' | 'skip';
  error?: { message: string; code?: string; hint?: string; exitCode: number };
  keptInstead?: string;
  /** Archived objects: the tier as the listing named it (`Archive`, `GLACIER (restoring)` …). */
  tier?: string;
}

export interface PullEvents {
  planned?(files: number, bytes: number): void;
  bytes?(n: number): void;
  /** A file found partly on disk: its `n` bytes are kept, the rest is fetched. */
  resumed?(key: string, n: number): void;
  fileDone?(r: FileReport): void;
  retry?(key: string, err: unknown, attempt: number): void;
  /** Another run holds this file; this one waits for it. */
  waiting?(key: string, path: string, owner: LockOwner | undefined): void;
}

export interface PullResult {
  files: FileReport[];
  duplicates: DuplicateNote[];
  totals: {
    files: number;
    bytes: number;
    downloaded: number;
    skipped: number;
    failed: number;
    duplicates: number;
    downloadedBytes: number;
    resumedBytes: number;
    /** Objects not read because they are archived (not counted in files/bytes), and their bytes. */
    archived: number;
    archivedBytes: number;
  };
  /** The archived objects not read (the listing's, and any the service refused as archived). */
  archived: Entry[];
  /** Objects left out by kind (markers, challenges, probes; --kind takes them), per kind. */
  leftOut?: Record<string, number>;
  /** Set when the run stopped early because the endpoint stopped answering. */
  gaveUp?: { message: string; code?: string; hint?: string };
  /**
   * Leftovers of interrupted runs for objects this run does not select (stale.ts): listed by
   * --dry-run, and by a run with --clean-parts, which removed the ones in `removed`.
   */
  stale?: StaleFile[];
  removed?: string[];
}

import {
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_CHUNK_SIZE,
  DEAD_ENDPOINT_FAILURES,
  DEAD_ENDPOINT_MIN_MS,
  DEFAULT_LOCK_TIMEOUT_MS,
} from './defaults.js';

/** DEST must be a folder (or not exist yet): a file there is the user's mistake, before any request. */
async function refuseFileDest(dest: string): Promise<void> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dest);
  } catch {
    return; // missing (created later) or unreachable (reported by ensureWritableDest)
  }
  if (!st.isDirectory())
    throw new UsageError(`DEST is a file: ${dest}`, {
      hint: 'give a directory to pull into (it is created when missing), or remove that file',
    });
}

/** Both signals in one: the user's interrupt and the run's own give-up. */
function eitherSignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  // Every in-flight request listens on it: many listeners are expected, not a leak.
  if (!a) return b;
  if (typeof AbortSignal.any === 'function') {
    const both = AbortSignal.any([a, b]);
    setMaxListeners(0, both);
    return both;
  }
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  const on = (s: AbortSignal) => () => c.abort(s.reason);
  if (a.aborted || b.aborted) c.abort(a.aborted ? a.reason : b.reason);
  a.addEventListener('abort', on(a), { once: true });
  b.addEventListener('abort', on(b), { once: true });
  return c.signal;
}

async function ensureWritableDest(dest: string): Promise<void> {
  try {
    await mkdir(dest, { recursive: true });
    await access(dest, constants.W_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ArchiveError(`destination ${dest} is not writable`, {
      serviceCode: e.code,
      hint: 'choose a directory you can write to, or fix its permissions',
      cause: err,
    });
  }
}

export async function pull(provider: StorageProvider, prefix: string, o: PullOptions, ev: PullEvents = {}): Promise<PullResult> {
  const dest = resolve(o.dest);
  await refuseFileDest(dest);
  const stripPrefix = prefixDir(prefix);
  let entries: Entry[] = [];
  const listed: ListTotals = { count: 0, bytes: 0, scanned: 0 };
  for await (const e of listEntries(provider, prefix, { ...o, take: 'data' }, listed)) entries.push(e);
  if (!listed.count && (await prefixIsEmpty(provider, prefix))) throw nothingUnder(provider, prefix);
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  // Local names are settled over the whole listing and only then split into shards, so a clash
  // between keys of different shards is resolved the same way by every worker.
  const planned: PullItem[] = entries.map((e) => planItem(e, { stripPrefix, flatten: o.flatten, decompress: o.decompress }));
  disambiguate(planned);
  // Every shard's files are this listing's: another worker's part files are not stale.
  const selected = new Set(planned.map((it) => resolve(dest, it.rel)));
  const shard = o.shard;
  const shardFor = shard ? shardAssigner(entries, shard.count) : undefined;
  const mine = shardFor && shard ? planned.filter((it) => shardFor(it.entry) === shard.index) : planned;
  if (shardFor && shard) duplicates = duplicates.filter((d) => shardFor(d.dropped) === shard.index);
  // Archived objects are never read (the service would refuse them): split off after the shard
  // split, so which worker an object belongs to does not change when it is restored.
  const items = mine.filter((it) => readable(it.entry.cold));
  const archived: Entry[] = [];
  const heldBack = mine.filter((it) => !readable(it.entry.cold));
  const totalBytes = items.reduce((n, it) => n + it.entry.size, 0);

  const files: FileReport[] = duplicates.map((d) => ({
    key: d.dropped.key,
    path: '',
    bytes: 0,
    objectBytes: d.dropped.size,
    status: 'duplicate' as const,
    keptInstead: d.kept.key,
  }));
  for (const it of heldBack) {
    archived.push(it.entry);
    const r: FileReport = {
      key: it.entry.key,
      path: resolve(dest, it.rel),
      bytes: 0,
      objectBytes: it.entry.size,
      status: 'archived',
      tier: tierLabel(it.entry, it.entry.cold, false),
    };
    files.push(r);
    if (o.dryRun) ev.fileDone?.(r);
  }

  if (o.dryRun) {
    ev.planned?.(items.length, totalBytes);
    // What is already on disk decides what a real run would do: pull, resume or skip.
    const destReal = await realpath(dest).catch(() => undefined);
    const records = destReal ? new PulledRecords(destReal, provider.describe(), o.stateDir) : undefined;
    for (const it of items) {
      const path = resolve(dest, it.rel);
      const disk = destReal
        ? await diskState({ final: path, rel: it.rel, natural: !o.flatten && !it.renamed, records }, it.entry, it.codec !== 'none')
        : { state: 'none' as const, bytes: 0 };
      const r: FileReport = {
        key: it.entry.key,
        path,
        bytes: it.entry.size,
        objectBytes: it.entry.size,
        status: 'planned',
        planned: disk.state === 'complete' ? 'skip' : disk.state === 'resume' ? 'resume' : 'pull',
      };
      if (disk.state === 'resume') r.resumedBytes = disk.bytes;
      files.push(r);
      ev.fileDone?.(r);
    }
    const stale = destReal ? await findStale(dest, selected) : [];
    return { files, duplicates, totals: summarize(files), archived, leftOut: listed.leftOut, ...(stale.length ? { stale } : {}) };
  }

  await ensureWritableDest(dest);
  const records = new PulledRecords(await realpath(dest), provider.describe(), o.stateDir);
  const health = new EndpointHealth(DEAD_ENDPOINT_FAILURES, DEAD_ENDPOINT_MIN_MS, provider.describe());
  const concurrency = Math.max(1, o.concurrency);
  const announced = new Set<string>();
  const transfer = new Transfer({
    provider,
    streams: pLimit(concurrency),
    signal: eitherSignal(o.signal, health.signal),
    health,
    multipartThreshold: o.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
    chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE,
    wantSha256: !!o.wantSha256,
    onBytes: ev.bytes,
    onResume: (key, n) => {
      if (!announced.has(key)) ev.resumed?.(key, n);
    },
    onRetry: ev.retry,
  });
  const objects = pLimit(concurrency);
  // Part files of an earlier run count as done from the first progress frame: all are reported
  // here, before the plan and any transfer (a transfer's own report comes only when its turn
  // comes, and is then not repeated).
  if (ev.resumed)
    await Promise.all(
      items.map((it) =>
        objects(async () => {
          const place = { final: resolve(dest, it.rel), rel: it.rel, natural: !o.flatten && !it.renamed, records };
          const disk = await diskState(place, it.entry, it.codec !== 'none');
          if (disk.state === 'resume') {
            announced.add(it.entry.key);
            ev.resumed?.(it.entry.key, disk.bytes);
          }
        }),
      ),
    );
  ev.planned?.(items.length, totalBytes);
  const ctx: PullContext = {
    transfer,
    dest,
    records,
    flatten: !!o.flatten,
    health,
    signal: o.signal,
    ev,
    lockTimeoutMs: o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    archived,
  };
  const done = (r: FileReport | undefined) => {
    if (!r) return;
    files.push(r);
    ev.fileDone?.(r);
  };
  // First pass: files another run is writing right now are put off, not waited for, so two runs
  // of one listing work side by side; the second pass waits for those (or takes over a dead run's).
  const busy: PullItem[] = [];
  await Promise.all(items.map((it) => objects(async () => done(await pullOne(ctx, it, 'try', () => busy.push(it))))));
  await Promise.all(busy.map((it) => objects(async () => done(await pullOne(ctx, it, 'wait')))));
  const gaveUp = health.error;
  let swept: Pick<PullResult, 'stale' | 'removed'> = {};
  if (o.cleanParts && !o.signal?.aborted) {
    const stale = await findStale(dest, selected);
    swept = { stale, removed: await removeStale(stale) };
  }
  return {
    files,
    duplicates,
    totals: summarize(files),
    archived,
    leftOut: listed.leftOut,
    gaveUp: gaveUp && { message: gaveUp.message, code: gaveUp.serviceCode, hint: gaveUp.hint },
    ...swept,
  };
}

/** What the holder of a file's lock has written so far: its part, state and temp files, and the file itself. */
async function progressOf(final: string): Promise<string> {
  const parts = await Promise.all(
    [final, final + PART_SUFFIX, final + STATE_SUFFIX, final + TMP_SUFFIX].map((f) =>
      lstat(f).then(
        (st) => `${st.size}@${st.mtimeMs}`,
        () => '-',
      ),
    ),
  );
  return parts.join(' ');
}

interface PullContext {
  transfer: Transfer;
  dest: string;
  records: PulledRecords;
  flatten: boolean;
  health: EndpointHealth;
  signal?: AbortSignal;
  ev: PullEvents;
  lockTimeoutMs: number;
  /** Objects the service refused as archived (a tier the listing did not show, or one changed since). */
  archived: Entry[];
}

function failedReport(base: FileReport, err: unknown): FileReport {
  const ae = describeTransferError(err);
  return { ...base, status: 'failed', error: { message: ae.message, code: ae.serviceCode, hint: ae.hint, exitCode: ae.exitCode } };
}

/** Undefined when the run was interrupted before the object started, or (mode 'try') when another run holds it. */
async function pullOne(c: PullContext, it: PullItem, mode: 'try' | 'wait', onBusy?: () => void): Promise<FileReport | undefined> {
  const base: FileReport = { key: it.entry.key, path: '', bytes: 0, objectBytes: it.entry.size, status: 'failed' };
  if (c.signal?.aborted) return undefined;
  // The endpoint is gone: the objects not yet started fail at once instead of retrying one by one.
  if (c.health.error) return failedReport(base, c.health.error);
  let lock: FileLock | undefined;
  try {
    const final = await prepareDestination(c.dest, it.rel);
    base.path = final;
    if (mode === 'try') {
      lock = await tryLock(final);
      if (!lock) {
        onBusy?.();
        return undefined;
      }
    } else
      lock = await waitLock(final, {
        signal: c.signal,
        onWait: (owner) => c.ev.waiting?.(it.entry.key, final, owner),
        timeoutMs: c.lockTimeoutMs,
        progress: () => progressOf(final),
      });
    const place: Placement = { final, rel: it.rel, natural: !c.flatten && !it.renamed, records: c.records };
    let out: TransferOutcome;
    try {
      out = await c.transfer.run(it.entry, place, it.codec);
    } catch (err) {
      // A checksum or size mismatch may be a corrupting hop; one clean retry from zero.
      if (!(err instanceof IntegrityError) || c.signal?.aborted || !/Mismatch$/.test(err.serviceCode ?? '')) throw err;
      out = await c.transfer.run(it.entry, place, it.codec);
    }
    return {
      ...base,
      status: out.status,
      bytes: out.bytes,
      sha256: out.sha256,
      verified: out.verified,
      resumedBytes: out.resumedBytes || undefined,
    };
  } catch (err) {
    if (c.signal?.aborted) throw c.signal.reason ?? err;
    if (err instanceof ArchivedError && !c.health.error) {
      c.archived.push(it.entry);
      return { ...failedReport(base, err), status: 'archived', tier: it.entry.tier };
    }
    return failedReport(base, c.health.error ?? err);
  } finally {
    await lock?.release();
  }
}

function summarize(files: FileReport[]): PullResult['totals'] {
  const t = {
    files: 0,
    bytes: 0,
    downloaded: 0,
    skipped: 0,
    failed: 0,
    duplicates: 0,
    downloadedBytes: 0,
    resumedBytes: 0,
    archived: 0,
    archivedBytes: 0,
  };
  for (const f of files) {
    if (f.status === 'duplicate') {
      t.duplicates++;
      continue;
    }
    if (f.status === 'archived') {
      t.archived++;
      t.archivedBytes += f.objectBytes;
      continue;
    }
    t.files++;
    t.bytes += f.objectBytes;
    if (f.status === 'downloaded') {
      t.downloaded++;
      t.downloadedBytes += f.objectBytes - (f.resumedBytes ?? 0);
      t.resumedBytes += f.resumedBytes ?? 0;
    } else if (f.status === 'skipped') t.skipped++;
    else if (f.status === 'failed') t.failed++;
  }
  return t;
}

/**
 * The run's error when objects failed (errors.ts objectFailureExitCode, README "Exit codes"): 5,
 * however many failed; 3 or 4 only when every object failed with that same denial or not-found.
 * The hint is the first failure's own (the symlink refusal's names the link); a re-run is only
 * suggested when the failure has no hint of its own.
 */
export function pullExitError(result: PullResult): ArchiveError | undefined {
  const failed = result.files.filter((f) => f.status === 'failed');
  if (!failed.length) return undefined;
  if (result.gaveUp) {
    const g = result.gaveUp;
    const n = result.totals.files;
    return new PartialFailureError(`${g.message}; ${failed.length} of ${n} object${n === 1 ? '' : 's'} not pulled`, {
      serviceCode: g.code,
      hint: g.hint,
    });
  }
  const first = failed[0].error!;
  const n = result.totals.files;
  const details = {
    serviceCode: first.code,
    hint: first.hint ?? 'run the same command again: completed files are skipped and part files resume',
  };
  const code = objectFailureExitCode(
    failed.map((f) => f.error?.exitCode ?? 1),
    n,
  );
  // Every failure's message names its object already (KEY: …, read LOCATION/KEY: …, refusing … PATH).
  const message =
    failed.length === n
      ? n === 1
        ? first.message
        : `all ${n} objects failed; first: ${first.message}`
      : `${failed.length} of ${n} object${n === 1 ? '' : 's'} failed; first: ${first.message}`;
  return errorForExitCode(code, message, details);
}
