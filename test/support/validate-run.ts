/**
 * How the validate suites run `archive validate`: in-process over the Io seam (test/support/io.ts,
 * same hermetic env and loopback guard as the spawned binary). A few cases in validate.test.ts
 * still spawn the binary (runCli) to prove the process path gives the same bytes.
 */
import type { CliResult } from './cli.js';
import { runInProcess } from './io.js';

export function runValidateCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runInProcess(['validate', ...argv], { env });
}
