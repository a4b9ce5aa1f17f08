#!/usr/bin/env node
'use strict';
// The e2e part of `npm test`: the packaged extension in a real VS Code (code-server) driven by Chromium.
// It runs where the recipe's tools are installed or can be (root with apt and the npm registry: CI), and
// otherwise says in one line why it is skipped. BPF_ITER_E2E=0 skips it on purpose, BPF_ITER_E2E=1 demands it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const demanded = process.env.BPF_ITER_E2E === '1';
const cache = process.env.VSCODE_E2E_CACHE || path.join(os.homedir(), '.cache', 'vscode-e2e');
const installed = fs.existsSync(path.join(cache, 'node24')) && fs.existsSync('/usr/bin/chromium');
const canInstall = process.getuid && process.getuid() === 0 && fs.existsSync('/usr/bin/apt-get');

function skip(why) {
  console.log(`e2e: skipped: ${why}`);
  process.exit(demanded ? 1 : 0);
}
if (process.env.BPF_ITER_E2E === '0') skip('BPF_ITER_E2E=0');
if (process.platform !== 'linux') skip('the e2e recipe (code-server + Debian chromium) is for Linux');
if (!installed && !canInstall) skip('code-server/chromium are not installed and this user cannot install them (needs root with apt-get)');
const r = spawnSync('npm', ['run', 'test:e2e'], { cwd: root, stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
