// Runs s3rver as a child process (it needs NODE_OPTIONS=--openssl-legacy-provider on Node >= 17,
// which must not leak into the test process itself). Prints the bound port on stdout.
'use strict';
const S3rver = require('s3rver');
const directory = process.argv[2];
const port = Number(process.argv[3] || 0);
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
server.run().then((addr) => {
  process.stdout.write(`S3RVER_LISTENING ${addr.port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
