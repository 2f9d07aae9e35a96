/**
 * `archive completion bash|zsh|fish`: shell completion scripts generated from the live commander
 * tree, so every command, alias, option and argument that exists is completed and nothing else.
 * Values come from the tree too (option/argument choices), plus the few lists that live in
 * dependency-free name modules (layouts, auth types, SAS presets, probe names). Locations complete
 * to saved profile names (`PROFILE:`) by asking `archive profile list --json` at completion time;
 * DEST and file-valued options complete to paths.
 */
import { Argument, type Command, type Option } from 'commander';
import { UsageError } from '../errors.js';

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

function allNodes(root: CmdSpec): CmdSpec[] {
  const out: CmdSpec[] = [];
  const go = (c: CmdSpec) => {
    out.push(c);
    c.subcommands.forEach(go);
  };
  go(root);
  return out;
}

const key = (c: CmdSpec) => c.path.join(' ');
const flagsOf = (o: OptSpec) => [o.short, o.long].filter((f): f is string => !!f);
/** Names the `help` command can show help for. */
const helpTargets = (parent: CmdSpec) => parent.subcommands.filter((s) => s.name !== 'help').map((s) => s.name);
function parentOf(root: CmdSpec, c: CmdSpec): CmdSpec {
  return allNodes(root).find((n) => n.subcommands.includes(c)) ?? root;
}

// ---------------------------------------------------------------------------------------------
// bash

/** A word for a `case` pattern or a plain shell word: double-quoted, nothing expands. */
function dq(s: string): string {
  return `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
}

const PROFILE_NAMES_SED = `sed -n 's/^ *"name": "\\([^"]*\\)".*/\\1/p'`;

export function bashScript(root: CmdSpec, version: string): string {
  const nodes = allNodes(root);
  const prog = root.name;
  const fn = `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const L: string[] = [];
  L.push(`# ${prog} completion for bash (4.x and 3.2). Generated by \`${prog} completion bash\` from ${prog} ${version};`);
  L.push(`# regenerate after upgrading. Install for your user:`);
  L.push(`#   ${prog} completion bash > ~/.local/share/bash-completion/completions/${prog}`);
  L.push(`# or add to ~/.bashrc:  source <(${prog} completion bash)`);
  L.push('');
  // subcommand resolution
  L.push(`${fn}_sub() {`);
  L.push(`  case "$1|$2" in`);
  for (const n of nodes)
    for (const s of n.subcommands) L.push(`    ${[s.name, ...s.aliases].map((w) => dq(`${key(n)}|${w}`)).join('|')}) _r=${dq(s.name)} ;;`);
  L.push(`    *) _r="" ;;`);
  L.push(`  esac`);
  L.push(`}`);
  // options that take a value
  const valued = nodes.flatMap((n) =>
    [...n.options, ...(n === root ? [] : root.options)].filter((o) => o.takesValue).flatMap((o) => flagsOf(o).map((f) => `${key(n)}|${f}`)),
  );
  L.push(`${fn}_takes_value() {`);
  L.push(`  case "$1|$2" in`);
  if (valued.length) L.push(`    ${valued.map(dq).join('|')}) return 0 ;;`);
  L.push(`  esac`);
  L.push(`  return 1`);
  L.push(`}`);
  // words per node: subcommands and options (root options also work after a subcommand)
  L.push(`${fn}_words() {`);
  L.push(`  case "$1" in`);
  for (const n of nodes) {
    const cmds = n.subcommands.flatMap((s) => [s.name, ...s.aliases]);
    const opts = [...n.options, ...(n === root ? [] : root.options.filter((o) => o.long !== '--version'))].flatMap(flagsOf);
    L.push(`    ${dq(key(n))}) _cmds=${dq(cmds.join(' '))}; _opts=${dq([...new Set(opts)].join(' '))} ;;`);
  }
  L.push(`  esac`);
  L.push(`}`);
  // value kinds
  const kindCase = (v: ValueKind, parent?: CmdSpec): string => {
    switch (v.type) {
      case 'words':
        return `_kind=words; _vals=${dq(v.words.join(' '))}`;
      case 'command':
        return `_kind=words; _vals=${dq(parent ? helpTargets(parent).join(' ') : '')}`;
      default:
        return `_kind=${v.type}`;
    }
  };
  L.push(`${fn}_optval() {`);
  L.push(`  case "$1|$2" in`);
  for (const n of nodes)
    for (const o of [...n.options, ...(n === root ? [] : root.options)])
      if (o.takesValue && o.value.type !== 'none')
        L.push(
          `    ${flagsOf(o)
            .map((f) => dq(`${key(n)}|${f}`))
            .join('|')}) ${kindCase(o.value)} ;;`,
        );
  L.push(`    *) _kind=none ;;`);
  L.push(`  esac`);
  L.push(`}`);
  L.push(`${fn}_arg() {`);
  L.push(`  case "$1|$2" in`);
  for (const n of nodes) {
    n.args.forEach((a, i) => {
      const pat = a.variadic ? `${dq(`${key(n)}|`)}*` : dq(`${key(n)}|${i}`);
      L.push(`    ${pat}) ${kindCase(a.value, parentOf(root, n))} ;;`);
    });
  }
  L.push(`    *) _kind=none ;;`);
  L.push(`  esac`);
  L.push(`}`);
  L.push(`${fn}_profiles() {`);
  L.push(`  "$1" profile list --json 2>/dev/null | ${PROFILE_NAMES_SED}`);
  L.push(`}`);
  L.push(`${fn}() {`);
  L.push(`  local _r _cmds _opts _kind _vals line="\${COMP_LINE:0:COMP_POINT}" off=0 j w at rest`);
  L.push(`  local -a words`);
  L.push(`  COMPREPLY=()`);
  L.push(`  # Re-join words that COMP_WORDBREAKS split at ':' (PROFILE:PREFIX is one argument).`);
  L.push(`  for ((j = 0; j <= COMP_CWORD && j < \${#COMP_WORDS[@]}; j++)); do`);
  L.push(`    w="\${COMP_WORDS[j]}"`);
  L.push(`    rest="\${line:off}"`);
  L.push(`    if [[ -n $w && $rest == *"$w"* ]]; then at="\${rest%%"$w"*}"; else at="$rest"; w=""; fi`);
  L.push(`    if ((\${#words[@]} > 0)) && [[ -n $w && $at != *[[:space:]]* ]]; then`);
  L.push(`      words[\${#words[@]}-1]="\${words[\${#words[@]}-1]}$w"`);
  L.push(`    else`);
  L.push(`      words[\${#words[@]}]="$w"`);
  L.push(`    fi`);
  L.push(`    off=$((off + \${#at} + \${#w}))`);
  L.push(`  done`);
  L.push(`  local count=\${#words[@]} path=${dq(prog)} n=0 skip="" cur prev`);
  L.push(`  for ((j = 1; j < count - 1; j++)); do`);
  L.push(`    w="\${words[j]}"`);
  L.push(`    if [[ -n $skip ]]; then skip=""; continue; fi`);
  L.push(`    case "$w" in`);
  L.push(`      --*=*) continue ;;`);
  L.push(`      -?*) ${fn}_takes_value "$path" "$w" && skip=1; continue ;;`);
  L.push(`    esac`);
  L.push(`    ${fn}_sub "$path" "$w"`);
  L.push(`    if [[ -n $_r ]]; then path="$path $_r"; n=0; else n=$((n + 1)); fi`);
  L.push(`  done`);
  L.push(`  cur="\${words[count-1]}"`);
  L.push(`  prev="\${words[count-2]}"`);
  L.push(`  if [[ -n $skip ]]; then`);
  L.push(`    ${fn}_optval "$path" "$prev"`);
  L.push(`  elif [[ $cur == -* ]]; then`);
  L.push(`    ${fn}_words "$path"`);
  L.push(`    COMPREPLY=($(compgen -W "$_opts" -- "$cur"))`);
  L.push(`    return 0`);
  L.push(`  else`);
  L.push(`    ${fn}_words "$path"`);
  L.push(`    if [[ -n $_cmds ]]; then`);
  L.push(`      COMPREPLY=($(compgen -W "$_cmds" -- "$cur"))`);
  L.push(`      return 0`);
  L.push(`    fi`);
  L.push(`    ${fn}_arg "$path" "$n"`);
  L.push(`  fi`);
  L.push(`  case "$_kind" in`);
  L.push(`    words) COMPREPLY=($(compgen -W "$_vals" -- "$cur")) ;;`);
  L.push(`    file)`);
  L.push(`      compopt -o filenames 2>/dev/null`);
  L.push(`      COMPREPLY=($(compgen -f -- "$cur")) ;;`);
  L.push(`    dir)`);
  L.push(`      compopt -o filenames 2>/dev/null`);
  L.push(`      COMPREPLY=($(compgen -d -- "$cur")) ;;`);
  L.push(`    profile) COMPREPLY=($(compgen -W "$(${fn}_profiles "\${COMP_WORDS[0]}")" -- "$cur")) ;;`);
  L.push(`    location)`);
  L.push(`      # Saved profiles as PROFILE: (the prefix after the colon is yours to type), and the schemes.`);
  L.push(`      if [[ $cur != *[:/]* ]]; then`);
  L.push(`        local p`);
  L.push(`        for p in $(${fn}_profiles "\${COMP_WORDS[0]}") az:// s3:// https://; do`);
  L.push(`          [[ $p == *: || $p == *// ]] || p="$p:"`);
  L.push(`          [[ $p == "$cur"* ]] && COMPREPLY[\${#COMPREPLY[@]}]="$p"`);
  L.push(`        done`);
  L.push(`        compopt -o nospace 2>/dev/null`);
  L.push(`      elif [[ $cur == [A-Za-z0-9]*:* && $cur != *://* ]]; then`);
  L.push(`        # PROFILE:PATH: the folders below it, from one short listing. Readline replaces only`);
  L.push(`        # the text after the last ':' (a word break), so offer the rest of each folder.`);
  L.push(`        local f strip="\${cur%"\${cur##*:}"}"`);
  L.push(`        while IFS= read -r f; do`);
  L.push(`          [[ -n $f ]] && COMPREPLY[\${#COMPREPLY[@]}]="\${f#"$strip"}"`);
  L.push(`        done < <("\${COMP_WORDS[0]}" __complete-location "$cur" 2>/dev/null)`);
  L.push(`        compopt -o nospace 2>/dev/null`);
  L.push(`      fi ;;`);
  L.push(`  esac`);
  L.push(`  return 0`);
  L.push(`}`);
  L.push(`complete -F ${fn} ${prog}`);
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// zsh

/** Text inside an _arguments spec (itself single-quoted): brackets and colons escaped. */
function zq(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, `'\\''`)
    .replace(/([[\]:$`])/g, '\\$1');
}

function zshAction(v: ValueKind, fn: string, parent?: CmdSpec): string {
  switch (v.type) {
    case 'words':
      return `(${v.words.map(zq).join(' ')})`;
    case 'command':
      return `(${(parent ? helpTargets(parent) : []).map(zq).join(' ')})`;
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'location':
      return `${fn}_location`;
    case 'profile':
      return `${fn}_profile`;
    default:
      return ' ';
  }
}

export function zshScript(root: CmdSpec, version: string): string {
  const prog = root.name;
  const fn = `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const fname = (c: CmdSpec) =>
    `${fn}${c.path
      .slice(1)
      .map((p) => `__${p.replace(/[^A-Za-z0-9_]/g, '_')}`)
      .join('')}`;
  const L: string[] = [];
  L.push(`#compdef ${prog}`);
  L.push(`# ${prog} completion for zsh. Generated by \`${prog} completion zsh\` from ${prog} ${version}; regenerate after upgrading.`);
  L.push(`# Install: ${prog} completion zsh > "\${fpath[1]}/_${prog}"  (then restart zsh), or in ~/.zshrc after compinit:`);
  L.push(`#   source <(${prog} completion zsh)`);
  L.push('');
  L.push(`${fn}_profile_names() {`);
  L.push(`  local -a names`);
  L.push(`  names=(\${(f)"$(\${${fn}_cmd:-${prog}} profile list --json 2>/dev/null | ${PROFILE_NAMES_SED})"})`);
  L.push(`  print -l -- $names`);
  L.push(`}`);
  L.push(`${fn}_profile() {`);
  L.push(`  local -a names; names=(\${(f)"$(${fn}_profile_names)"})`);
  L.push(`  _describe -t profiles 'saved profile' names`);
  L.push(`}`);
  L.push(`${fn}_location() {`);
  L.push(`  local -a names; names=(\${(f)"$(${fn}_profile_names)"})`);
  L.push(`  if [[ $PREFIX != *[:/]* ]]; then`);
  L.push(`    (( $#names )) && compadd -S '' -X 'saved profiles (PROFILE:PREFIX)' -- \${^names}:`);
  L.push(`    compadd -S '' -- az:// s3:// https://`);
  L.push(`  elif [[ $PREFIX == [A-Za-z0-9]*:* && $PREFIX != *://* ]]; then`);
  L.push(`    local -a found; found=(\${(f)"$(\${${fn}_cmd:-${prog}} __complete-location "$PREFIX" 2>/dev/null)"})`);
  L.push(`    (( $#found )) && compadd -S '' -X 'folders' -- $found`);
  L.push(`  fi`);
  L.push(`}`);
  const root_opts = root.options.filter((o) => o.long !== '--version');
  const optSpecs = (c: CmdSpec): string[] => {
    const opts = [...c.options, ...(c === root ? [] : root_opts.filter((r) => !c.options.some((o) => o.long === r.long)))];
    return opts.map((o) => {
      const flags = flagsOf(o);
      const excl = flags.length > 1 && !o.repeatable ? `(${flags.join(' ')})` : '';
      const star = o.repeatable ? '*' : '';
      const desc = `[${zq(o.description)}]`;
      const val = o.takesValue ? `:${zq(o.valueName ?? 'value')}:${zshAction(o.value, fn)}` : '';
      if (o.long === '--help' || o.long === '--version') return `'(- *)'{${flags.join(',')}}'${desc}'`;
      if (flags.length === 1) {
        const f = flags[0];
        const suffix = o.takesValue ? (f.startsWith('--') ? '=' : '+') : '';
        return `'${excl}${star}${f}${suffix}${desc}${val}'`;
      }
      const fl = flags.map((f) => `${f}${o.takesValue ? (f.startsWith('--') ? '=' : '+') : ''}`);
      return `'${excl}${star}'{${fl.join(',')}}'${desc}${val}'`;
    });
  };
  for (const c of allNodes(root)) {
    L.push('');
    L.push(`${fname(c)}() {`);
    if (c === root) L.push(`  local ${fn}_cmd=$words[1]`);
    if (c.subcommands.length) {
      L.push(`  local curcontext="$curcontext" state line`);
      L.push(`  typeset -A opt_args`);
      L.push(`  _arguments -C -s -S \\`);
      for (const s of optSpecs(c)) L.push(`    ${s} \\`);
      L.push(`    '1: :->cmds' \\`);
      L.push(`    '*:: :->args'`);
      L.push(`  case $state in`);
      L.push(`    cmds)`);
      L.push(`      local -a cmds`);
      L.push(`      cmds=(`);
      for (const s of c.subcommands) for (const n of [s.name, ...s.aliases]) L.push(`        '${zq(n)}:${zq(s.description)}'`);
      L.push(`      )`);
      L.push(`      _describe -t commands '${zq(c.path.join(' '))} command' cmds ;;`);
      L.push(`    args)`);
      L.push(`      case $line[1] in`);
      for (const s of c.subcommands) L.push(`        ${[s.name, ...s.aliases].map((n) => `'${zq(n)}'`).join('|')}) ${fname(s)} ;;`);
      L.push(`      esac ;;`);
      L.push(`  esac`);
    } else {
      const specs = optSpecs(c);
      c.args.forEach((a, i) => {
        const action = zshAction(a.value, fn, parentOf(root, c));
        if (a.variadic) specs.push(`'*:${zq(a.name)}:${action}'`);
        else specs.push(`'${i + 1}:${a.required ? '' : ':'}${zq(a.name)}:${action}'`);
      });
      L.push(`  _arguments -s -S \\`);
      for (const [i, s] of specs.entries()) L.push(`    ${s}${i < specs.length - 1 ? ' \\' : ''}`);
    }
    L.push(`}`);
  }
  L.push('');
  L.push(`if [[ $zsh_eval_context[-1] == loadautofunc ]]; then`);
  L.push(`  ${fn} "$@"`);
  L.push(`else`);
  L.push(`  compdef ${fn} ${prog}`);
  L.push(`fi`);
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// fish

/** A single-quoted fish word. */
function fq(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function fishScript(root: CmdSpec, version: string): string {
  const prog = root.name;
  const fn = `__${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const nodes = allNodes(root);
  const L: string[] = [];
  L.push(`# ${prog} completion for fish. Generated by \`${prog} completion fish\` from ${prog} ${version}; regenerate after upgrading.`);
  L.push(`# Install: ${prog} completion fish > ~/.config/fish/completions/${prog}.fish`);
  L.push('');
  L.push(`function ${fn}_sub --description 'canonical subcommand name, or nothing'`);
  L.push(`    switch "$argv[1]|$argv[2]"`);
  for (const n of nodes)
    for (const s of n.subcommands)
      L.push(`        case ${[s.name, ...s.aliases].map((w) => fq(`${key(n)}|${w}`)).join(' ')}`, `            echo ${fq(s.name)}`);
  L.push(`    end`);
  L.push(`end`);
  const valued = nodes.flatMap((n) =>
    [...n.options, ...(n === root ? [] : root.options)].filter((o) => o.takesValue).flatMap((o) => flagsOf(o).map((f) => `${key(n)}|${f}`)),
  );
  L.push(`function ${fn}_takes_value`);
  L.push(`    switch "$argv[1]|$argv[2]"`);
  if (valued.length) L.push(`        case ${valued.map(fq).join(' ')}`, `            return 0`);
  L.push(`    end`);
  L.push(`    return 1`);
  L.push(`end`);
  L.push(`# Prints the command path (e.g. "${prog} profile add") and the number of positional arguments so far.`);
  L.push(`function ${fn}_state`);
  L.push(`    set -l toks (commandline -opc)`);
  L.push(`    set -l path ${fq(prog)}`);
  L.push(`    set -l n 0`);
  L.push(`    set -l skip 0`);
  L.push(`    for t in $toks[2..-1]`);
  L.push(`        if test $skip = 1`);
  L.push(`            set skip 0`);
  L.push(`            continue`);
  L.push(`        end`);
  L.push(`        switch $t`);
  L.push(`            case '--*=*'`);
  L.push(`                continue`);
  L.push(`            case '-?*'`);
  L.push(`                ${fn}_takes_value "$path" $t; and set skip 1`);
  L.push(`                continue`);
  L.push(`        end`);
  L.push(`        set -l sub (${fn}_sub "$path" $t)`);
  L.push(`        if test -n "$sub"`);
  L.push(`            set path "$path $sub"`);
  L.push(`            set n 0`);
  L.push(`        else`);
  L.push(`            set n (math $n + 1)`);
  L.push(`        end`);
  L.push(`    end`);
  L.push(`    echo $path`);
  L.push(`    echo $n`);
  L.push(`end`);
  L.push(`function ${fn}_is --description 'true when the command path is $argv[1]'`);
  L.push(`    set -l s (${fn}_state)`);
  L.push(`    test "$s[1]" = "$argv[1]"`);
  L.push(`end`);
  L.push(`function ${fn}_arg --description 'true when completing positional $argv[2] (or later, with $argv[3] = more) of $argv[1]'`);
  L.push(`    set -l s (${fn}_state)`);
  L.push(`    test "$s[1]" = "$argv[1]"; or return 1`);
  L.push(`    if test "$argv[3]" = more`);
  L.push(`        test $s[2] -ge $argv[2]`);
  L.push(`    else`);
  L.push(`        test $s[2] -eq $argv[2]`);
  L.push(`    end`);
  L.push(`end`);
  L.push(`function ${fn}_profiles`);
  L.push(`    set -l cmd (commandline -opc)[1]`);
  L.push(`    type -q -- $cmd; or return`);
  L.push(`    $cmd profile list --json 2>/dev/null | ${PROFILE_NAMES_SED}`);
  L.push(`end`);
  L.push(`function ${fn}_locations`);
  L.push(`    set -l tok (commandline -ct)`);
  L.push(`    if string match -q -r '^[A-Za-z0-9][A-Za-z0-9._-]*:(?!//)' -- $tok`);
  L.push(`        set -l cmd (commandline -opc)[1]`);
  L.push(`        type -q -- $cmd; and $cmd __complete-location $tok 2>/dev/null`);
  L.push(`        return`);
  L.push(`    end`);
  L.push(`    string match -q -r '[:/]' -- $tok; and return`);
  L.push(`    for p in (${fn}_profiles)`);
  L.push(`        printf '%s:\\tsaved profile\\n' $p`);
  L.push(`    end`);
  L.push(`    printf '%s\\n' az:// s3:// https://`);
  L.push(`end`);
  L.push('');
  L.push(`complete -c ${prog} -e`);
  L.push(`complete -c ${prog} -f`);
  const cond = (c: CmdSpec) => fq(`${fn}_is ${fq(key(c))}`);
  const valueFlags = (v: ValueKind, parent?: CmdSpec): string => {
    switch (v.type) {
      case 'words':
        return `-a ${fq(v.words.join(' '))}`;
      case 'command':
        return `-a ${fq((parent ? helpTargets(parent) : []).join(' '))}`;
      case 'file':
      case 'dir':
        return '-F';
      case 'location':
        return `-a ${fq(`(${fn}_locations)`)}`;
      case 'profile':
        return `-a ${fq(`(${fn}_profiles)`)}`;
      default:
        return '';
    }
  };
  for (const c of nodes) {
    L.push('');
    L.push(`# ${key(c)}`);
    for (const s of c.subcommands)
      for (const n of [s.name, ...s.aliases]) L.push(`complete -c ${prog} -n ${cond(c)} -a ${fq(n)} -d ${fq(s.description)}`);
    const opts = [
      ...c.options,
      ...(c === root ? [] : root.options.filter((r) => r.long !== '--version' && !c.options.some((o) => o.long === r.long))),
    ];
    for (const o of opts) {
      const parts = [`complete -c ${prog} -n ${cond(c)}`];
      if (o.short) parts.push(`-s ${o.short.slice(1)}`);
      if (o.long) parts.push(`-l ${o.long.slice(2)}`);
      if (o.takesValue) {
        const v = valueFlags(o.value);
        parts.push(v === '-F' ? '-r -F' : v ? `-x ${v}` : '-x');
      }
      parts.push(`-d ${fq(o.description)}`);
      L.push(parts.join(' '));
    }
    c.args.forEach((a, i) => {
      const v = valueFlags(a.value, parentOf(root, c));
      if (!v) return;
      const argCond = fq(`${fn}_arg ${fq(key(c))} ${i}${a.variadic ? ' more' : ''}`);
      L.push(`complete -c ${prog} -n ${argCond} ${v} -d ${fq(a.description || a.name)}`);
    });
  }
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

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

export function registerCompletion(program: Command): void {
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
      process.stdout.write(await completionScript(root, shell, root.version() ?? '0.0.0'));
    });
}
