#!/usr/bin/env node
'use strict';
// `npm start`: the CLI on every bundled example, on the simulated kernel: `bpf-iter check`, then
// `bpf-iter run` (each example's <name>.bpfscenario.json next to it is picked up by the CLI itself).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'bin', 'bpf-iter.js');
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.bpf.c')).sort();
let failures = 0;
for (const name of examples) {
  const file = path.join('examples', name);
  for (const args of [['check', file], ['run', file]]) {
    console.log(`\n$ bpf-iter ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) { failures++; console.log(`(exit ${r.status})`); }
  }
}
if (failures) { console.error(`\n${failures} command(s) failed`); process.exit(1); }
