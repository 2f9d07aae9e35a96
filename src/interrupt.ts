/**
 * Ctrl-C handling: the first SIGINT/SIGTERM aborts work in flight (part files are kept for resume,
 * nothing incomplete gets a final name); a second one exits at once.
 */
import { setMaxListeners } from 'node:events';

const controller = new AbortController();
// Every concurrent transfer listens on this one signal; dozens at once is by design, not a leak.
setMaxListeners(0, controller.signal);
let installed = false;
let count = 0;
let first: NodeJS.Signals | undefined;

export function interruptSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    const onSignal = (sig: NodeJS.Signals) => {
      count++;
      first ??= sig;
      if (count > 1) process.exit(exitCodeFor(sig));
      controller.abort(new Error(`interrupted by ${sig}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return controller.signal;
}

export function interrupted(): boolean {
  return controller.signal.aborted;
}

/** The signal that stopped the run, if any (the first one, when several arrived). */
export function interruptedBy(): NodeJS.Signals | undefined {
  return first;
}

/** 130 for Ctrl-C (SIGINT), 143 for SIGTERM: 128 + the signal number, as shells report it. */
export function exitCodeFor(sig: NodeJS.Signals): number {
  return sig === 'SIGTERM' ? 143 : 130;
}
