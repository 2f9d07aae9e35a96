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

export function interruptSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    const onSignal = (sig: NodeJS.Signals) => {
      count++;
      if (count > 1) process.exit(130);
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
