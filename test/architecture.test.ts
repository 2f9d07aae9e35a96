/**
 * The layering rules the code states in comments, checked on every import of src/ (static and
 * dynamic): cloud SDKs only under src/providers/, DuckDB only under src/query/, nothing outside
 * src/commands/ (but cli.ts) imports a command, and the static imports form no cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './support/cli.js';

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Import {
  spec: string;
  dynamic: boolean;
}

function importsOf(text: string): Import[] {
  // Comments and template text are not code: drop block and line comments before matching.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: Import[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"`;]*?from\s+'([^']+)'/gm)) out.push({ spec: m[1], dynamic: false });
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push({ spec: m[1], dynamic: false });
  for (const m of code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push({ spec: m[1], dynamic: true });
  return out;
}

const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(readFileSync(f, 'utf8')) }));

test('the scan sees the tree (not a vacuous pass)', () => {
  assert.ok(all.length > 60, `${all.length} files`);
  assert.ok(
    all.some((f) => f.imports.some((i) => i.spec.startsWith('@azure/storage-blob'))),
    'the Azure provider imports its SDK',
  );
  assert.ok(
    all.some((f) => f.imports.some((i) => i.dynamic)),
    'dynamic imports are seen',
  );
});

test('cloud SDKs only under src/providers/, DuckDB only under src/query/', () => {
  const bad: string[] = [];
  for (const f of all) {
    for (const i of f.imports) {
      if (/^@(azure|aws-sdk|smithy)\//.test(i.spec) && !f.file.startsWith('providers/')) bad.push(`${f.file} → ${i.spec}`);
      if (i.spec.startsWith('@duckdb/') && !f.file.startsWith('query/')) bad.push(`${f.file} → ${i.spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no module outside src/commands/ (but cli.ts) imports a command', () => {
  const bad: string[] = [];
  for (const f of all) {
    if (f.file.startsWith('commands/') || f.file === 'cli.ts') continue;
    for (const i of f.imports) {
      if (!i.spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(join(SRC, f.file)), i.spec));
      if (target.startsWith('commands/')) bad.push(`${f.file} → ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('static imports form no cycle', () => {
  const graph = new Map<string, string[]>();
  for (const f of all) {
    graph.set(
      f.file,
      f.imports
        .filter((i) => !i.dynamic && i.spec.startsWith('.'))
        .map((i) => relative(SRC, resolve(dirname(join(SRC, f.file)), i.spec)).replace(/\.js$/, '.ts')),
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') {
      cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
      return;
    }
    state.set(n, 'open');
    for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  assert.deepEqual(cycles, []);
});
