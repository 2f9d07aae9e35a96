/**
 * `pull` as a library call: list → plan → parallel verified transfers → report.
 * Rendering (progress, tables, JSON) belongs to the command; this module only emits events.
 */
import pLimit from 'p-limit';
import { access, mkdir, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ArchiveError, IntegrityError, PartialFailureError, errorForExitCode } from '../errors.js';
import { listEntries, type ListOptions } from '../listing.js';
import type { Entry } from '../filter.js';
import type { StorageProvider } from '../providers/types.js';
import { dedupe, disambiguate, inShard, planItem, type DuplicateNote, type PullItem, type Shard } from './plan.js';
import { prefixDir, prepareDestination } from './safe-path.js';
import { Transfer, describeTransferError, type TransferOutcome } from './transfer.js';

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
}

export type FileStatus = 'downloaded' | 'skipped' | 'failed' | 'duplicate' | 'planned';
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
  error?: { message: string; code?: string; hint?: string; exitCode: number };
  keptInstead?: string;
}

export interface PullEvents {
  planned?(files: number, bytes: number): void;
  bytes?(n: number): void;
  fileDone?(r: FileReport): void;
  retry?(key: string, err: unknown, attempt: number): void;
}

export interface PullResult {
  files: FileReport[];
  duplicates: DuplicateNote[];
  totals: { files: number; bytes: number; downloaded: number; skipped: number; failed: number; duplicates: number; downloadedBytes: number; resumedBytes: number };
}

import { DEFAULT_MULTIPART_THRESHOLD, DEFAULT_CHUNK_SIZE } from './defaults.js';

async function ensureWritableDest(dest: string): Promise<void> {
  try {
    await mkdir(dest, { recursive: true });
    await access(dest, constants.W_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ArchiveError(`destination ${dest} is not writable`, { serviceCode: e.code, hint: 'choose a directory you can write to, or fix its permissions', cause: err });
  }
}

export async function pull(provider: StorageProvider, prefix: string, o: PullOptions, ev: PullEvents = {}): Promise<PullResult> {
  const dest = resolve(o.dest);
  const stripPrefix = prefixDir(prefix);
  let entries: Entry[] = [];
  for await (const e of listEntries(provider, prefix, o)) if (inShard(e, o.shard)) entries.push(e);
  let duplicates: DuplicateNote[] = [];
  if (o.dedupe) ({ kept: entries, notes: duplicates } = dedupe(entries));
  const items: PullItem[] = entries.map((e) => planItem(e, { stripPrefix, flatten: o.flatten, decompress: o.decompress }));
  disambiguate(items);
  const totalBytes = items.reduce((n, it) => n + it.entry.size, 0);
  ev.planned?.(items.length, totalBytes);

  const files: FileReport[] = duplicates.map((d) => ({
    key: d.dropped.key,
    path: '',
    bytes: 0,
    objectBytes: d.dropped.size,
    status: 'duplicate' as const,
    keptInstead: d.kept.key,
  }));

  if (o.dryRun) {
    for (const it of items) {
      const r: FileReport = { key: it.entry.key, path: resolve(dest, it.rel), bytes: it.entry.size, objectBytes: it.entry.size, status: 'planned' };
      files.push(r);
      ev.fileDone?.(r);
    }
    return { files, duplicates, totals: summarize(files) };
  }

  await ensureWritableDest(dest);
  const concurrency = Math.max(1, o.concurrency);
  const transfer = new Transfer({
    provider,
    streams: pLimit(concurrency),
    signal: o.signal,
    multipartThreshold: o.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
    chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE,
    wantSha256: !!o.wantSha256,
    onBytes: ev.bytes,
    onRetry: ev.retry,
  });
  const objects = pLimit(concurrency);
  await Promise.all(
    items.map((it) =>
      objects(async () => {
        if (o.signal?.aborted) return;
        const r = await pullOne(transfer, dest, it, o.signal);
        files.push(r);
        ev.fileDone?.(r);
      }),
    ),
  );
  return { files, duplicates, totals: summarize(files) };
}

async function pullOne(transfer: Transfer, dest: string, it: PullItem, signal?: AbortSignal): Promise<FileReport> {
  const base: FileReport = { key: it.entry.key, path: '', bytes: 0, objectBytes: it.entry.size, status: 'failed' };
  try {
    const final = await prepareDestination(dest, it.rel);
    base.path = final;
    let out: TransferOutcome;
    try {
      out = await transfer.run(it.entry, final, it.codec);
    } catch (err) {
      // A checksum or size mismatch may be a corrupting hop; one clean retry from zero.
      if (!(err instanceof IntegrityError) || signal?.aborted || !/Mismatch$/.test(err.serviceCode ?? '')) throw err;
      out = await transfer.run(it.entry, final, it.codec);
    }
    return { ...base, status: out.status, bytes: out.bytes, sha256: out.sha256, verified: out.verified, resumedBytes: out.resumedBytes || undefined };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    const ae = describeTransferError(err);
    return { ...base, status: 'failed', error: { message: ae.message, code: ae.serviceCode, hint: ae.hint, exitCode: ae.exitCode } };
  }
}

function summarize(files: FileReport[]): PullResult['totals'] {
  const t = { files: 0, bytes: 0, downloaded: 0, skipped: 0, failed: 0, duplicates: 0, downloadedBytes: 0, resumedBytes: 0 };
  for (const f of files) {
    if (f.status === 'duplicate') {
      t.duplicates++;
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
 * SPEC exit codes: 5 when some objects failed and the rest completed; when every object failed
 * for the same kind of reason (all 403, say) that reason's own code, so CI can tell auth from flakiness.
 */
export function pullExitError(result: PullResult): ArchiveError | undefined {
  const failed = result.files.filter((f) => f.status === 'failed');
  if (!failed.length) return undefined;
  const ok = result.totals.downloaded + result.totals.skipped;
  const first = failed[0].error!;
  const n = result.totals.files;
  const details = { serviceCode: first.code, hint: first.hint ?? 'run the same command again: completed files are skipped and part files resume' };
  const sameKind = failed.every((f) => f.error?.exitCode === first.exitCode);
  if (ok === 0 && sameKind) {
    return errorForExitCode(first.exitCode, failed.length === 1 ? first.message : `all ${n} objects failed; first: ${first.message}`, details);
  }
  return new PartialFailureError(`${failed.length} of ${n} object${n === 1 ? '' : 's'} failed; first: ${first.message}`, details);
}
