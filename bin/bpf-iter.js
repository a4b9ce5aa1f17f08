#!/usr/bin/env node
'use strict';
const path = require('path');
const fs = require('fs');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundled)) {
  process.stderr.write('bpf-iter: dist/cli.js is missing: run `npm ci` (or `npm run build`) in ' + path.dirname(__dirname) + '\n');
  process.exit(70);
}
const { main } = require(bundled);
// `bpf-iter run x.bpf.c | head`: a reader that stops early ends the run quietly, as cat ends on SIGPIPE.
process.stdout.on('error', (e) => { if (e && e.code === 'EPIPE') process.exit(141); throw e; });
main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stdoutBytes: (b) => process.stdout.write(b), stderr: (s) => process.stderr.write(s) })
  .then((code) => { if (code >= 0) process.exitCode = code; })
  .catch((e) => { process.stderr.write('bpf-iter: internal error: ' + (e && e.stack ? e.stack : e) + '\n'); process.exitCode = 70; });
