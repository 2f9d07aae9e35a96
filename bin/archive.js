#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import('../dist/main.js').catch((err) => {
  process.stderr.write(`archive: failed to start (${err && err.code ? err.code : 'build missing?'})\nhint: run \`npm run build\` in the package directory\n`);
  process.exit(1);
});
