import { setFlagsFromString } from 'node:v8';

/**
 * Downloads churn through short-lived socket buffers that live outside the JS heap; V8's defaults
 * are tuned for heaps of JS objects, not for this. Both flags are read at each collection, so
 * setting them after start-up takes effect from the next one. Measured with the bench's
 * 500 × 2 MiB pull (`--trace-gc`, GNU time), before → after:
 *
 *  - Full-GC limit grown 4× per collection: V8 set it from the small (~13 MB) heap left after
 *    start-up, grown 1.1–1.3×, so the tens of MB of buffers in flight kept tripping it. Node 20:
 *    54 → 3 mark-compacts per GiB, user CPU 6.2 → 4.8 s, peak RSS unchanged. Used by pull and cat.
 *  - Young generation kept at its initial size (`eagerYoungGc`): on Node 24 a socket buffer is freed
 *    only when a scavenge finds its JS wrapper dead, and a grown young generation scavenged 13 times
 *    per GiB, so dead buffers piled up to the 64 MB external-memory trigger. Node 24 plain pull: peak
 *    RSS 191–196 → 134–135 MiB, user CPU 5.1 → 4.0 s; Node 20 unchanged. Not for cat, whose 1 MiB
 *    decoded chunks outlive a small young generation (+0.3 s CPU there for −15 MiB).
 */
export function tuneGcForTransfers(opts: { eagerYoungGc?: boolean } = {}): void {
  setFlagsFromString('--heap-growing-percent=300');
  if (opts.eagerYoungGc) setFlagsFromString('--semi-space-growth-factor=1');
}
