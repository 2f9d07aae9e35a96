#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import module from 'node:module';

// Node >= 22.1 can cache compiled code between runs (~375 SDK modules load per storage command).
module.enableCompileCache?.();

import('../dist/main.js').catch((err) => {
  process.stderr.write(`archive: failed to start (${err && err.code ? err.code : 'build missing?'})\nhint: run \`npm run build\` in the package directory\n`);
  process.exit(1);
});
