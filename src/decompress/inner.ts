import type { Writable } from 'node:stream';

/** Waits until `w` drains, or rejects if `failed` rejects first. */
export function waitWritable(w: Writable, failed: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      w.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      w.off('drain', onDrain);
      // Closed without draining: the failure (if any) is reported through `failed`.
      failed.then(() => resolve(), reject);
    };
    w.once('drain', onDrain);
    w.once('close', onClose);
  });
}
