#!/usr/bin/env node
'use strict';
/**
 * Records what clang says of each file in test/fixtures/c/located and test/fixtures/c/broken: every error as
 * "line:column message" (the -W flag name clang appends is not part of the message). The recording,
 * test/fixtures/c/clang-errors.json, is what test/unit/lang/clangDiagnostics.test.ts compares our diagnostics with on
 * any machine; test/oracle/clang-diagnostics.test.ts compares it with the clang on this machine.
 * Usage: node scripts/record-clang-diagnostics.js
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const FOLDERS = ['located', 'broken'];

function clangErrors(file) {
  const result = spawnSync('clang', ['-target', 'bpf', '-fsyntax-only', '-w', '-fno-caret-diagnostics', '-fno-color-diagnostics', file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  const errors = [];
  for (const line of result.stderr.split('\n')) {
    const match = /^[^:]+:(\d+):(\d+): error: (.*?)(?: \[-W[^\]]*\])?$/.exec(line);
    if (match) errors.push(`${match[1]}:${match[2]} ${match[3]}`);
  }
  return errors;
}

function record() {
  const version = /clang version (\S+)/.exec(spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown';
  const files = {};
  for (const folder of FOLDERS) {
    const dir = path.join(root, 'test/fixtures/c', folder);
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) files[`${folder}/${name}`] = clangErrors(path.join(dir, name));
  }
  return { clang: version, files };
}

module.exports = { clangErrors, FOLDERS };

if (require.main === module) {
  const out = path.join(root, 'test/fixtures/c/clang-errors.json');
  fs.writeFileSync(out, JSON.stringify(record(), null, 1) + '\n');
  console.log(`wrote ${path.relative(root, out)}`);
}
