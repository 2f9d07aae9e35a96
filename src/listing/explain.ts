/**
 * --explain / --verbose output of the pruning planner: one line per folder decision, runs of
 * skipped sibling folders folded into one line (a year of daily folders is one line, not 365).
 */
import type { PlanEvent } from './walk.js';

export interface PlanPrinter {
  onPlan(e: PlanEvent): void;
  /** Flushes a pending run of skips and prints the request/scan totals. */
  end(t: { requests?: number; scanned: number; count: number }): void;
}

function parentOf(folder: string): string {
  const p = folder.endsWith('/') ? folder.slice(0, -1) : folder;
  return p.slice(0, p.lastIndexOf('/') + 1);
}

export function planPrinter(write: (line: string) => void): PlanPrinter {
  let run: { parent: string; first: string; last: string; n: number; reason: string; summary: string } | undefined;
  const flush = () => {
    if (!run) return;
    const what = run.n === 1 ? run.first : `${run.n} folders ${run.first} … ${run.last}`;
    write(`plan: skip ${what} (${run.n === 1 ? run.reason : run.summary})`);
    run = undefined;
  };
  return {
    onPlan({ folder, decision }) {
      if (decision.action === 'skip') {
        const parent = parentOf(folder);
        const summary = decision.run ?? 'their time folders are outside the window';
        if (run && run.parent === parent && run.summary === summary) {
          run.last = folder;
          run.n++;
          return;
        }
        flush();
        run = { parent, first: folder, last: folder, n: 1, reason: decision.reason, summary };
        return;
      }
      flush();
      const where = folder || '(container root)';
      if (decision.action === 'days') write(`plan: list ${decision.prefixes!.join(' ')} (${decision.reason})`);
      else if (decision.action === 'stems') write(`plan: walk ${where} by '${decision.delimiter}' (${decision.reason})`);
      else write(`plan: ${decision.action === 'flat' ? 'list' : 'walk'} ${where} (${decision.reason})`);
    },
    end(t) {
      flush();
      write(
        `plan: ${t.requests ?? 'unknown'} LIST request${t.requests === 1 ? '' : 's'}, ${t.scanned} key${t.scanned === 1 ? '' : 's'} scanned, ${t.count} matched`,
      );
    },
  };
}
