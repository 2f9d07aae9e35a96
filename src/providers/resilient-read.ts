/**
 * Reading an object (or a byte range of it) as a stream that survives throttling, resets and
 * truncated bodies: on a transient failure it reconnects and continues from the first byte not
 * yet delivered, with ETag pinning so a changed object is never stitched together.
 *
 * It sits beside the providers because it is a property of reading from storage, shared by `pull`
 * (transfer.ts), `cat` and `query`; it speaks only the StorageProvider interface, no SDK.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ArchiveError, TransientError } from '../errors.js';
import type { StorageProvider } from './types.js';

/** Run-wide connection health (endpoint-health.ts); told of every failure and every delivered byte. */
export interface HealthSink {
  ok(): void;
  failed(err: unknown): void;
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 250, maxMs: 15_000 };

export function isTransient(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  if (err instanceof ArchiveError) return false;
  const e = err as { code?: string; name?: string; message?: string };
  // Our own aborts are handled by the caller before asking; an SDK that aborts its request
  // because the socket died mid-body reports that as an AbortError too.
  if (e?.name === 'AbortError') return true;
  if (
    e?.code &&
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ECONNABORTED|EAI_AGAIN|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET)$/.test(e.code)
  )
    return true;
  return /aborted|socket hang up|premature close|terminated/i.test(e?.message ?? '');
}

export function backoffMs(attempt: number, p: RetryPolicy): number {
  const exp = Math.min(p.maxMs, p.baseMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2); // "equal jitter"
}

export interface ResilientReadOptions {
  start: number;
  /** Inclusive end; the caller knows the object's size, so truncation is always detectable. */
  end: number;
  etag?: string;
  signal?: AbortSignal;
  policy?: RetryPolicy;
  health?: HealthSink;
  onRetry?: (err: unknown, attempt: number, offset: number) => void;
}

export async function* resilientRead(provider: StorageProvider, key: string, o: ResilientReadOptions): AsyncGenerator<Buffer> {
  const policy = o.policy ?? DEFAULT_RETRY;
  let offset = o.start;
  let failures = 0;
  if (o.end < o.start) return; // empty object
  while (offset <= o.end) {
    o.signal?.throwIfAborted();
    try {
      const body = await provider.read(key, { range: { start: offset, end: o.end }, signal: o.signal, ifMatch: o.etag });
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          let buf = chunk;
          // A server that ignores the range end (or an emulator bug) must not push us past it.
          if (offset + buf.length > o.end + 1) buf = buf.subarray(0, o.end + 1 - offset);
          offset += buf.length;
          if (buf.length) {
            failures = 0;
            o.health?.ok();
            yield buf;
          }
          if (offset > o.end) break;
        }
      } finally {
        (body as { destroy?: () => void }).destroy?.();
      }
      if (offset <= o.end)
        throw new TransientError(`read ${key}: body ended at byte ${offset} of ${o.end + 1}`, { serviceCode: 'TruncatedBody' });
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      o.health?.failed(err);
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      if (!isTransient(err) || ++failures >= policy.attempts) throw err;
      o.onRetry?.(err, failures, offset);
      // A throttling answer's Retry-After is a floor (capped at a minute, so a bogus one cannot hang a run).
      const asked = Math.min(60_000, (err as ArchiveError).retryAfterMs ?? 0);
      try {
        await sleep(Math.max(asked, backoffMs(failures, policy)), undefined, { signal: o.signal });
      } catch (e) {
        throw o.signal?.reason ?? e;
      }
    }
  }
}
