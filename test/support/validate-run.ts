/**
 * How the validate suites run `archive validate`: today the built binary (runCli, hermetic env,
 * loopback guard); the lead switches this one function to an in-process run over the Io seam
 * once the in-process harness lands, without touching the tests.
 */
import { runCli, type CliResult } from './cli.js';

export function runValidateCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['validate', ...argv], { env });
}
