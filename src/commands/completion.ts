/**
 * `archive completion bash|zsh|fish`: shell completion scripts generated from the live commander
 * tree, so every command, alias, option and argument that exists is completed and nothing else.
 * Values come from the tree too (option/argument choices), plus the few lists that live in
 * dependency-free name modules (layouts, auth types, SAS presets, probe names). Locations complete
 * to saved profile names (`PROFILE:`) by asking `archive profile list --json` at completion time;
 * DEST and file-valued options complete to paths.
 */
import { Argument, type Command } from 'commander';
import type { Io } from '../io.js';
import { SHELLS } from '../completion/spec.js';

export function registerCompletion(program: Command, io: Io): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish) for commands, options and saved profiles')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
The script is generated from this version's commands and options: regenerate it after upgrading.
Locations complete to your saved profiles (PROFILE:) and then to the folders under them (one
short listing per TAB); --kind to the known kinds; DEST and file options to paths.

Examples:
  source <(archive completion bash)                                   # try it in this shell
  archive completion bash > ~/.local/share/bash-completion/completions/archive
  archive completion zsh > "\${fpath[1]}/_archive"                     # then restart zsh
  archive completion fish > ~/.config/fish/completions/archive.fish`,
    )
    .action(async (shell: string) => {
      let root: Command = program;
      while (root.parent) root = root.parent;
      const { completionScript } = await import('../completion/script.js');
      io.stdout.write(await completionScript(root, shell, root.version() ?? '0.0.0'));
    });
}
