#!/usr/bin/env node
'use strict';
// Accepts the actual baselines the tests wrote under test/baselines/local/<suite>/ (test/baseline.ts): each file is
// copied over its reference and removed from local/, so `git diff` shows what changed for review.
// Usage: npm run baseline-accept            (every suite)
//        npm run baseline-accept -- corpus  (one suite)
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const local = path.join(root, 'test', 'baselines', 'local');
/** Where each suite's references live. */
const REFERENCE_FOLDERS = { corpus: path.join(root, 'test', 'corpus') };

const wanted = process.argv.slice(2);
for (const suite of wanted) {
  if (!REFERENCE_FOLDERS[suite]) {
    console.error(`unknown suite ${suite}; suites: ${Object.keys(REFERENCE_FOLDERS).join(', ')}`);
    process.exit(2);
  }
}
let accepted = 0;
for (const suite of wanted.length ? wanted : Object.keys(REFERENCE_FOLDERS)) {
  const from = path.join(local, suite);
  if (!fs.existsSync(from)) continue;
  for (const file of fs.readdirSync(from).sort()) {
    fs.copyFileSync(path.join(from, file), path.join(REFERENCE_FOLDERS[suite], file));
    fs.rmSync(path.join(from, file));
    console.log(`accepted ${path.relative(root, path.join(REFERENCE_FOLDERS[suite], file))}`);
    accepted++;
  }
}
console.log(accepted ? `${accepted} baseline(s) accepted: review them with git diff` : 'nothing to accept: test/baselines/local/ is empty');
