#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import module from 'node:module';

// Node >= 22.1 can cache compiled code between runs.
module.enableCompileCache?.();
// --verbose prints stacks: map bundle positions back to src/ (and the SDKs' own files). Only then,
// as parsing the maps costs start-up time; it must happen before dist/ loads.
if (process.argv.includes('--verbose') || process.argv.includes('-v')) process.setSourceMapsEnabled?.(true);

import('../dist/main.js').catch((err) => {
  process.stderr.write(
    `archive: failed to start (${err?.code ? err.code : 'build missing?'})\nhint: run \`npm run build\` in the package directory\n`,
  );
  process.exit(1);
});
