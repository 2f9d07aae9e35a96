/**
 * Location → Target → provider, for every command (./options.ts loads this on first use; the
 * list run imports it directly). Credentials, profiles and ARCHIVE_PROFILE come from `io.env`,
 * never from process.env directly.
 */
import type { Io } from '../io.js';
import { loadProfileSource } from '../profile-source.js';
import { sasExpiryWarning, targetSasToken } from '../providers/sas-expiry.js';
import type { StorageProvider } from '../providers/types.js';
import { escapeText } from '../output/escape.js';
import { redact } from '../redact.js';
import { resolveAccountTarget, resolveTarget, type Target, type TargetOptions } from '../target.js';

export async function targetFor(location: string, flags: TargetOptions, io: Io): Promise<Target> {
  const env = io.env as NodeJS.ProcessEnv;
  return resolveTarget(location, flags, env, await loadProfileSource(env));
}

export async function accountTargetFor(location: string | undefined, flags: TargetOptions, io: Io): Promise<Target> {
  const env = io.env as NodeJS.ProcessEnv;
  return resolveAccountTarget(location, flags, env, await loadProfileSource(env));
}

/** SAS tokens already warned about, per run (a run's commands share one Io; two runs never share). */
const warnedSas = new WeakMap<Io, Set<string>>();

/** Opens the provider through `io`; warns first on io.stderr (once per token and run) when a SAS runs out within the hour. */
export async function open(target: Target, io: Io): Promise<StorageProvider> {
  const token = targetSasToken(target);
  const warning = sasExpiryWarning(token, io.now());
  let warned = warnedSas.get(io);
  if (!warned) warnedSas.set(io, (warned = new Set()));
  if (token && warning && !warned.has(token)) {
    warned.add(token);
    io.stderr.write(`warning: ${escapeText(redact(warning))}\n`);
  }
  return io.openProvider(target);
}
