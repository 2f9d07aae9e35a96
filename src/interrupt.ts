/**
 * Ctrl-C handling: the first SIGINT/SIGTERM aborts work in flight (part files are kept for resume,
 * nothing incomplete gets a final name); a second one exits at once.
 *
 * The state lives in an `Interrupt` value, one per run (`io.interrupt`): a test driving the CLI
 * in-process gives each run its own, so one run's abort never leaks into the next. The process has
 * one, whose signal handlers are installed only when a command first asks for its signal (until
 * then Ctrl-C keeps Node's default: exit at once, which is right for a listing).
 */
import { setMaxListeners } from 'node:events';

export class Interrupt {
  private readonly controller = new AbortController();
  private first?: NodeJS.Signals;

  constructor(private readonly install?: (onSignal: (sig: NodeJS.Signals) => void) => void) {
    // Every concurrent transfer listens on this one signal; dozens at once is by design, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  private installed = false;

  /** The signal work in flight listens on; asking for it is what installs the handlers. */
  signal(): AbortSignal {
    if (!this.installed && this.install) {
      this.installed = true;
      this.install((sig) => this.abort(sig));
    }
    return this.controller.signal;
  }

  /** Aborts the run as the first `sig` would (tests call it; the process handlers do too). */
  abort(sig: NodeJS.Signals): void {
    this.first ??= sig;
    this.controller.abort(new Error(`interrupted by ${sig}`));
  }

  interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** The signal that stopped the run, if any (the first one, when several arrived). */
  by(): NodeJS.Signals | undefined {
    return this.first;
  }
}

let processWide: Interrupt | undefined;

/** The process's own interrupt, wired to SIGINT/SIGTERM on first use; a second signal exits at once. */
export function processInterrupt(): Interrupt {
  return (processWide ??= new Interrupt((abort) => {
    let count = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      count++;
      if (count > 1) process.exit(exitCodeFor(sig));
      abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }));
}

/** 130 for Ctrl-C (SIGINT), 143 for SIGTERM: 128 + the signal number, as shells report it. */
export function exitCodeFor(sig: NodeJS.Signals): number {
  return sig === 'SIGTERM' ? 143 : 130;
}
