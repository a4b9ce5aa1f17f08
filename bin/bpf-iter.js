#!/usr/bin/env node
'use strict';
const path = require('path');
const fs = require('fs');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundled)) {
  process.stderr.write('bpf-iter: dist/cli.js is missing: run `npm ci` (or `npm run build`) in ' + path.dirname(__dirname) + '\n');
  process.exit(70);
}
// dist/codeCache.js loads the bundle with V8's code cache kept in the OS cache folder (server/src/codeCache.ts).
const loader = path.join(__dirname, '..', 'dist', 'codeCache.js');
const cli = fs.existsSync(loader) ? require(loader).loadWithCodeCache(bundled).exports : require(bundled);
// Pipes closed early (`| head`), crash reports, exit codes: dist/cli.js's runAsProcess owns the process.
cli.runAsProcess(process.argv.slice(2));
