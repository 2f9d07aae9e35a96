import type { Writable } from 'node:stream';

const EVENTS = ['drain', 'end', 'close', 'error'] as const;

/**
 * After `w.write()` returned false: waits until `w` drains, or until it can no longer drain (a
 * zlib stream whose output ended early never processes its pending writes; a failed or closed
 * stream). Failures are reported by whoever watches the inner stream, not here.
 */
export function waitWritable(w: Writable): Promise<void> {
  const r = w as Writable & { readableEnded?: boolean };
  if (w.destroyed || r.readableEnded || !w.writableNeedDrain) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      for (const e of EVENTS) w.off(e, done);
      resolve();
    };
    for (const e of EVENTS) w.on(e, done);
  });
}
