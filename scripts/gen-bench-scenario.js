#!/usr/bin/env node
// SPDX-License-Identifier: MIT
/**
 * Writes the end-to-end benchmark's input: a plain scenario JSON file with one hash map (key 4 B, value 8 B)
 * of N elements, keys 0..N-1 and values from a fixed-seed generator, as a user would export them.
 *
 *   node scripts/gen-bench-scenario.js OUT.json [N=1000000]
 */
'use strict';
const fs = require('fs');

function writeBenchScenario(file, n) {
  const fd = fs.openSync(file, 'w');
  let chunk = `{\n  "cpus": 2,\n  "maps": [\n    {\n      "name": "big",\n      "type": "hash",\n      "key_size": 4,\n      "value_size": 8,\n      "max_entries": ${n},\n      "entries": [\n`;
  let x = 0x2545f491; // xorshift32, fixed seed: the same file on every machine
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    chunk += `        { "key": ${i}, "value": ${x % 100000} }${i + 1 < n ? ',' : ''}\n`;
    if (chunk.length > 1 << 20) { fs.writeSync(fd, chunk); chunk = ''; }
  }
  chunk += '      ]\n    }\n  ],\n  "attach": { "map": "big" }\n}\n';
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

module.exports = { writeBenchScenario };
if (require.main === module) {
  const [out, n] = process.argv.slice(2);
  if (!out) { console.error('usage: gen-bench-scenario.js OUT.json [N]'); process.exit(2); }
  writeBenchScenario(out, n ? Number(n) : 1000000);
}
