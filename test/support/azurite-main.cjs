// Runs Azurite's blob service with the given arguments and exits when the parent goes away
// (its stdin pipe closes), so a killed test run never leaves an emulator behind.
'use strict';
const path = require('node:path');
const main = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js');
process.argv = [process.argv[0], main, ...process.argv.slice(2)];
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
require(main);
