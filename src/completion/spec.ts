/**
 * The command tree as data (CmdSpec), read from commander's own objects, and the helpers the
 * bash, zsh and fish generators share. Pure: no I/O, no process state.
 */
import type { Argument, Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value (of an option or a positional argument) completes to. */
export type ValueKind =
  | { type: 'none' }
  | { type: 'words'; words: string[] }
  | { type: 'file' }
  | { type: 'dir' }
  | { type: 'location' }
  | { type: 'profile' }
  | { type: 'command' };

export interface OptSpec {
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  valueName?: string;
  repeatable: boolean;
  value: ValueKind;
}

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  value: ValueKind;
}

export interface CmdSpec {
  /** Full path from the root, e.g. ['archive', 'profile', 'add']. */
  path: string[];
  name: string;
  aliases: string[];
  description: string;
  options: OptSpec[];
  args: ArgSpec[];
  subcommands: CmdSpec[];
}

/** Value lists that the commander tree only spells out in help text. */
export interface ValueLists {
  layout: string[];
  auth: string[];
  sasPurpose: string[];
  probes: string[];
  kinds: string[];
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function optionValue(o: Option, lists: ValueLists): ValueKind {
  if (o.argChoices?.length) return { type: 'words', words: [...o.argChoices] };
  const long = o.long ?? '';
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  if (long === '--layout') return { type: 'words', words: lists.layout };
  if (long === '--kind') return { type: 'words', words: lists.kinds };
  if (long === '--auth') return { type: 'words', words: lists.auth };
  if (long === '--for') return { type: 'words', words: lists.sasPurpose };
  if (long === '--require') return { type: 'words', words: [...lists.probes, 'all'] };
  if (/-file$/.test(long) || /^(path|file)$/i.test(valueName)) return { type: 'file' };
  if (/^(dir|directory)$/i.test(valueName)) return { type: 'dir' };
  return { type: 'none' };
}

function argValue(a: Argument, cmdPath: string[]): ValueKind {
  if (a.argChoices?.length) return { type: 'words', words: [...a.argChoices] };
  const n = a.name().toLowerCase();
  if (n === 'location' || n === 'locations') return { type: 'location' };
  if (n === 'dest') return { type: 'dir' };
  if (n === 'name' && cmdPath[cmdPath.length - 2] === 'profile' && cmdPath[cmdPath.length - 1] !== 'add') return { type: 'profile' };
  return { type: 'none' };
}

const HELP_OPT: OptSpec = {
  short: '-h',
  long: '--help',
  description: 'display help for command',
  takesValue: false,
  repeatable: false,
  value: { type: 'none' },
};

/** The command tree as data, from commander's own objects. */
export function describeProgram(program: Command, lists: ValueLists): CmdSpec {
  const walk = (cmd: Command, path: string[]): CmdSpec => {
    const options: OptSpec[] = cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        short: o.short,
        long: o.long,
        description: firstLine(o.description),
        takesValue: o.required || o.optional,
        valueName: /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1],
        repeatable: o.variadic || /repeatable/i.test(o.description),
        value: o.required || o.optional ? optionValue(o, lists) : { type: 'none' as const },
      }));
    if (!options.some((o) => o.long === '--help')) options.push(HELP_OPT);
    const subcommands = cmd.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => walk(c, [...path, c.name()]));
    // commander adds `help [command]` to every command that has subcommands.
    if (subcommands.length && !subcommands.some((s) => s.name === 'help')) {
      subcommands.push({
        path: [...path, 'help'],
        name: 'help',
        aliases: [],
        description: 'display help for command',
        options: [HELP_OPT],
        args: [{ name: 'command', description: 'command to show help for', required: false, variadic: false, value: { type: 'command' } }],
        subcommands: [],
      });
    }
    return {
      path,
      name: cmd.name(),
      aliases: cmd.aliases(),
      description: firstLine(cmd.description()),
      options,
      args: cmd.registeredArguments.map((a) => ({
        name: a.name(),
        description: firstLine(a.description ?? ''),
        required: a.required,
        variadic: a.variadic,
        value: argValue(a, path),
      })),
      subcommands,
    };
  };
  return walk(program, [program.name()]);
}

export function allNodes(root: CmdSpec): CmdSpec[] {
  const out: CmdSpec[] = [];
  const go = (c: CmdSpec) => {
    out.push(c);
    c.subcommands.forEach(go);
  };
  go(root);
  return out;
}

export const key = (c: CmdSpec) => c.path.join(' ');
export const flagsOf = (o: OptSpec) => [o.short, o.long].filter((f): f is string => !!f);
/** Names the `help` command can show help for. */
/** What every script generator works from: the tree, the program and its shell-function prefix. */
export interface ScriptCtx {
  root: CmdSpec;
  nodes: CmdSpec[];
  prog: string;
  version: string;
  /** The shell function prefix (`_archive` in bash and zsh, `__archive` in fish). */
  fn: string;
}

/** `_archive`-style function prefix of a program name (`prefix` is `_` or `__`). */
export function scriptCtx(root: CmdSpec, version: string, prefix: '_' | '__'): ScriptCtx {
  const prog = root.name;
  return { root, nodes: allNodes(root), prog, version, fn: `${prefix}${prog.replace(/[^A-Za-z0-9_]/g, '_')}` };
}

/** `PATH|FLAG` for every option that consumes the next word, root options inherited by every subcommand. */
export function valuedFlags(root: CmdSpec, nodes: readonly CmdSpec[]): string[] {
  return nodes.flatMap((n) =>
    [...n.options, ...(n === root ? [] : root.options)].filter((o) => o.takesValue).flatMap((o) => flagsOf(o).map((f) => `${key(n)}|${f}`)),
  );
}

export const helpTargets = (parent: CmdSpec) => parent.subcommands.filter((s) => s.name !== 'help').map((s) => s.name);
export function parentOf(root: CmdSpec, c: CmdSpec): CmdSpec {
  return allNodes(root).find((n) => n.subcommands.includes(c)) ?? root;
}

/** The sed that pulls profile names out of `archive profile list --json` (every shell uses it). */
export const PROFILE_NAMES_SED = `sed -n 's/^ *"name": "\\([^"]*\\)".*/\\1/p'`;
