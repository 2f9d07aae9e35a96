/**
 * Gives up on a dead endpoint for the whole run, like rclone's run-level `--retries` over its
 * low-level retries: every read reports its connection failures and its progress here, and after
 * `limit` connection failures in a row — across all transfers, none delivering a byte in between,
 * for at least `minOutageMs` — the run's signal aborts with EndpointDownError. Without this each
 * queued object spent its own 8 retries on a killed emulator: 327 s before exit.
 *
 * Error contract: never throws; `signal` aborts at most once, its reason an EndpointDownError.
 */
import { setMaxListeners } from 'node:events';
import { ArchiveError } from '../errors.js';
import { isTransient } from '../providers/resilient-read.js';

export class EndpointDownError extends ArchiveError {}

/** A failure to reach the endpoint at all (refused, reset, timed out, cut off) — not an HTTP answer. */
export function isConnectionFailure(err: unknown): boolean {
  if (!isTransient(err)) return false;
  return !(err instanceof ArchiveError && err.status !== undefined);
}

export class EndpointHealth {
  private readonly controller = new AbortController();
  private streak = 0;
  private streakStart = 0;
  private lastCode?: string;

  constructor(
    private readonly limit: number,
    private readonly minOutageMs: number,
    private readonly endpoint: string,
  ) {
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get error(): EndpointDownError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as EndpointDownError) : undefined;
  }

  /** Bytes arrived: the endpoint is alive. */
  ok(): void {
    this.streak = 0;
  }

  failed(err: unknown): void {
    if (this.controller.signal.aborted || !isConnectionFailure(err)) return;
    const now = Date.now();
    if (this.streak++ === 0) this.streakStart = now;
    this.lastCode = (err as { serviceCode?: string; code?: string }).serviceCode ?? (err as { code?: string }).code ?? this.lastCode;
    if (this.streak < this.limit || now - this.streakStart < this.minOutageMs) return;
    this.controller.abort(
      new EndpointDownError(
        `gave up on ${this.endpoint}: ${this.streak} connection failures in a row over ${Math.round((now - this.streakStart) / 1000)} s`,
        {
          serviceCode: this.lastCode ?? 'EndpointUnreachable',
          hint: 'check that the endpoint is up and reachable, then run the same command again: completed files are skipped and part files resume',
        },
      ),
    );
  }
}
