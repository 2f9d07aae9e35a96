/**
 * `--follow` and its two settings, shared by `cat` and `list` (registration only; the run is
 * ./follow-run.ts, the loop src/follow/).
 */
import type { Command } from 'commander';

export interface FollowFlags {
  follow?: boolean;
  interval?: string;
  lateness?: string;
}

export function addFollowOptions(cmd: Command): Command {
  return cmd
    .option('-f, --follow', 'keep going: print what --since selects (default 10m), then each new object as it lands (Ctrl-C stops)')
    .option('--interval <duration>', 'with --follow: time between polls, e.g. 500ms, 30s, 5m (default 30s)')
    .option('--lateness <duration>', 'with --follow: how late an object may land and still be printed, at least 1h (default 2h)');
}
