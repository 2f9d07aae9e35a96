/**
 * Which shell script to print: the value lists the commander tree only spells out in help text
 * (layouts, auth types, SAS presets, probe names, kinds), then the shell's generator.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { describeProgram, SHELLS, type ValueLists } from './spec.js';
import { bashScript } from './bash.js';
import { zshScript } from './zsh.js';
import { fishScript } from './fish.js';

/** The completion script for `shell`; a usage error (exit 2) for a shell it does not know. */
export async function completionScript(program: Command, shell: string, version: string): Promise<string> {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`unknown shell "${shell}"`, { hint: `use one of ${SHELLS.join(', ')}` });
  const [{ layoutNames }, { AZURE_AUTH_TYPES, S3_AUTH_TYPES }, { SAS_PURPOSES }, { PROBE_NAMES }, { KIND_NAMES }] = await Promise.all([
    import('../layouts/index.js'),
    import('../profiles/types.js'),
    import('../sas/names.js'),
    import('../validate/names.js'),
    import('../layouts/kinds.js'),
  ]);
  const lists: ValueLists = {
    layout: layoutNames(),
    auth: [...AZURE_AUTH_TYPES, ...S3_AUTH_TYPES],
    sasPurpose: [...SAS_PURPOSES],
    probes: [...PROBE_NAMES],
    kinds: [...KIND_NAMES],
  };
  const tree = describeProgram(program, lists);
  if (shell === 'bash') return bashScript(tree, version);
  if (shell === 'zsh') return zshScript(tree, version);
  return fishScript(tree, version);
}
