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
    .option('--sas <token>', 'Azure SAS token to use with an az:// location; env AZURE_STORAGE_SAS_TOKEN')
    .option(
      '--user-project <project>',
      'Cloud Storage requester pays: the project billed, sent on every gs:// request; env GOOGLE_CLOUD_QUOTA_PROJECT',
    );
}

/** S3 requester pays, on the commands that read a bucket (list, pull, cat, query, validate). */
export function addRequestPayerOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--request-payer <payer>',
      'S3 requester pays: sign x-amz-request-payer on every request (mandatory for Vespa Cloud on AWS)',
    ).choices(['requester']),
  );
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--include <glob>',
      'only keys matching the glob (repeat the flag for several; a comma is part of the glob, as in {a,b}/*)',
      collect,
    )
    .option('--exclude <glob>', 'skip keys matching the glob (repeat the flag for several)', collect)
    .option('--since <time>', 'only objects at or after this time: 30m, 2h, 3d, 1w or ISO')
    .option('--until <time>', 'only objects before this time: relative or ISO')
    .option('--kind <kinds>', 'only these kinds: logs, access, connection, heapdump, jfr, events, … (comma-separated)', collect)
    .option('--host <glob>', 'only objects from hosts matching the glob (Vespa; repeat the flag for several)', collect)
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

// Resolution and providers load on first use (./target-open.ts): registering commands for
// `--help` must stay light. Credentials, profiles and ARCHIVE_PROFILE come from `io.env`.
export async function targetFor(location: string, flags: TargetFlags, io: Io): Promise<Target> {
  return (await import('./target-open.js')).targetFor(location, flags, io);
}

export async function accountTargetFor(location: string | undefined, flags: TargetFlags, io: Io): Promise<Target> {
  return (await import('./target-open.js')).accountTargetFor(location, flags, io);
}

/** Opens the provider through `io`; warns first on io.stderr (once per token and run) when a SAS runs out within the hour. */
export async function open(target: Target, io: Io): Promise<StorageProvider> {
  return (await import('./target-open.js')).open(target, io);
}

/**
 * An option whose value is optional (`--histogram [hour|day]`, `--progress [plain|bar]`) takes the
 * next word whatever it is, so `archive list --histogram LOCATION` used to lose its location. A
 * value that is none of `choices` and was typed as its own word right after the flag is given back
 * to the positional arguments, in the order the words were typed; the option is then set without
 * a value (true). Anything else (`--histogram=week`, no free positional) is left for the command's
 * own check to reject.
 */
export function giveBackOptionalValue(
  command: Command,
  flag: string,
  value: unknown,
  choices: readonly string[],
  positionals: Array<string | undefined>,
): { value: unknown; positionals: Array<string | undefined> } {
  if (typeof value !== 'string' || choices.includes(value)) return { value, positionals };
  let root: Command = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs: string[] }).rawArgs ?? [];
  const at = raw.findIndex((a, i) => a === value && raw[i - 1] === flag);
  const free = positionals.indexOf(undefined);
  if (at < 0 || free < 0) return { value, positionals };
  const given = positionals.filter((p): p is string => p !== undefined);
  const ordered = [...given, value].sort((a, b) => (a === value ? at : raw.indexOf(a)) - (b === value ? at : raw.indexOf(b)));
  return { value: true, positionals: positionals.map((_, i) => ordered[i]) };
}
