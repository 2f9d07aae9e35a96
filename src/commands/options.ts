/**
 * Option groups several commands share, declared once so their spelling and help never drift.
 */
import { Option, type Command } from 'commander';
import type { Target, TargetOptions } from '../target.js';
import type { StorageProvider } from '../providers/types.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', 'S3-compatible endpoint (path-style); env AWS_ENDPOINT_URL_S3')
    .option('--region <region>', 'S3 region; env AWS_REGION')
    .option('--sas <token>', 'Azure SAS token to use with an az:// location; env AZURE_STORAGE_SAS_TOKEN');
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--include <glob>', 'only keys matching the glob (repeatable, or comma-separated)', collect)
    .option('--exclude <glob>', 'skip keys matching the glob (repeatable)', collect)
    .option('--since <time>', 'only objects at or after this time: 30m, 2h, 3d, 1w or ISO')
    .option('--until <time>', 'only objects before this time: relative or ISO')
    .option('--kind <kinds>', 'only these kinds: logs, access, connection, heapdump, jfr, events, … (comma-separated)', collect)
    .option('--host <glob>', 'only objects from matching hosts (Vespa)', collect)
    .addOption(
      new Option(
        '--layout <name>',
        "vendor key layout: auto, vespa, cloudflare, amplitude, logzio, dated, generic (default: the profile's layout, else auto)",
      ),
    );
}

export interface TargetFlags extends TargetOptions {
  verbose?: boolean;
}

// Resolution and providers load on first use: registering commands for `--help` must stay light.
// Credentials, profiles and ARCHIVE_PROFILE come from `io.env`, never from process.env directly.
// The `io` defaults serve validate-run.ts only, until branch creds (which passes its Io) lands.
export async function targetFor(location: string, flags: TargetFlags, io: Io): Promise<Target> {
  const [{ resolveTarget }, { loadProfileSource }] = await Promise.all([import('../target.js'), import('../profile-source.js')]);
  const env = io.env as NodeJS.ProcessEnv;
  return resolveTarget(location, flags, env, await loadProfileSource(env));
}

export async function accountTargetFor(location: string | undefined, flags: TargetFlags, io: Io): Promise<Target> {
  const [{ resolveAccountTarget }, { loadProfileSource }] = await Promise.all([import('../target.js'), import('../profile-source.js')]);
  const env = io.env as NodeJS.ProcessEnv;
  return resolveAccountTarget(location, flags, env, await loadProfileSource(env));
}

/** SAS tokens already warned about, per run (a run's commands share one Io; two runs never share). */
const warnedSas = new WeakMap<Io, Set<string>>();

/** Opens the provider through `io`; warns first on io.stderr (once per token and run) when a SAS runs out within the hour. */
export async function open(target: Target, io: Io): Promise<StorageProvider> {
  const [{ sasExpiryWarning, targetSasToken }, { redact }] = await Promise.all([
    import('../providers/sas-expiry.js'),
    import('../redact.js'),
  ]);
  const token = targetSasToken(target);
  const warning = sasExpiryWarning(token, io.now());
  let warned = warnedSas.get(io);
  if (!warned) warnedSas.set(io, (warned = new Set()));
  if (token && warning && !warned.has(token)) {
    warned.add(token);
    io.stderr.write(`${redact(`warning: ${warning}`)}\n`);
  }
  return io.openProvider(target);
}
