/**
 * npm run bundle: src/main.ts → dist/ (esbuild, ESM chunks split at every dynamic import so the
 * SDKs, DuckDB's glue and each command's run load only when used). Run from the package root.
 *
 * Start-up measures beyond the bundle itself (10-key `archive list`, Node 20, load-hook
 * timestamps; see README "Listing"):
 *  - deferEvaluation: CommonJS packages that our ESM imports at the top of a module but calls only
 *    sometimes are evaluated on first call, not at load: picomatch (filter.ts, needed only with
 *    --include/--exclude/--host; ~3 ms to evaluate) and commander's node:child_process (for
 *    executable subcommands, which this CLI has none of; ~2 ms with node:dgram and the rest).
 *  - requireHttp: bundled libraries' ESM imports of node:http/node:https become require()s. An ESM
 *    import of a built-in builds its namespace from every export, and on Node 24 node:http's lazy
 *    WebSocket/CloseEvent/MessageEvent exports then load Node's own undici: 34–100 ms against
 *    5 ms (src/providers/http-get.ts requires them for the same reason).
 *  - the createRequire banner goes only where the chunk has a `require` to give: esbuild's CJS
 *    shim (`__require`) lives in one runtime chunk, and every other chunk paid ~30 µs for nothing.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'dist';

/** `module.exports` of these packages (as seen from our code) become lazy stand-ins. */
const DEFERRED = {
  // filter.ts calls picomatch(patterns, options) and nothing else of it.
  picomatch: 'let real; module.exports = function picomatch(...args) { real ??= require("picomatch"); return real.apply(this, args); };',
};
/** Node built-ins required by a package only on a path we never take, made lazy for that package. */
const DEFERRED_BUILTINS = {
  // commander: childProcess.spawn() runs executable subcommands only.
  'node:child_process': {
    importer: /node_modules[\\/]commander[\\/]/,
    contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
  },
};

const deferEvaluation = {
  name: 'defer-evaluation',
  setup(b) {
    b.onResolve({ filter: /^(picomatch|node:child_process)$/ }, (args) => {
      if (args.namespace === 'deferred') return undefined; // the stand-in's own require: the real thing
      const pkg = DEFERRED[args.path];
      if (pkg && !/node_modules/.test(args.importer)) return { path: args.path, namespace: 'deferred' };
      const bi = DEFERRED_BUILTINS[args.path];
      if (bi?.importer.test(args.importer)) return { path: `builtin:${args.path}`, namespace: 'deferred' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      contents: args.path.startsWith('builtin:') ? DEFERRED_BUILTINS[args.path.slice(8)].contents : DEFERRED[args.path],
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

const requireHttp = {
  name: 'require-http',
  setup(b) {
    b.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path.replace(/^node:/, ''), namespace: 'required-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'required-builtin' }, (args) => ({
      contents: `module.exports = require("node:${args.path}");`,
      loader: 'js',
    }));
  },
};

const BANNER = "import{createRequire as __archiveRequire}from'node:module';const require=__archiveRequire(import.meta.url);";

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: ['@duckdb/node-api'],
  outdir: OUT,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  banner: { js: BANNER },
  plugins: [deferEvaluation, requireHttp],
});

// The banner is one line of its own: blanking it (not deleting it) keeps every source map valid.
for (const f of readdirSync(OUT)) {
  if (!f.endsWith('.js')) continue;
  const p = join(OUT, f);
  const text = readFileSync(p, 'utf8');
  const body = text.slice(BANNER.length);
  if (text.startsWith(BANNER) && !/\brequire\b/.test(body)) writeFileSync(p, body);
}
