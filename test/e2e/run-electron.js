'use strict';
// Launcher 1 of the extension-host suite: @vscode/test-electron, for machines with a desktop VS Code
// (VSCODE_EXECUTABLE) or internet access to download one. Offline and without one it says so and skips.
const path = require('path');
const dns = require('dns');

async function main() {
  const root = path.join(__dirname, '..', '..');
  const executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    const online = await new Promise((resolve) => dns.lookup('update.code.visualstudio.com', (err) => resolve(!err)));
    if (!online) {
      console.log('test-electron launcher skipped: no VSCODE_EXECUTABLE and update.code.visualstudio.com is unreachable (offline)');
      return 0;
    }
  }
  const { runTests } = require('@vscode/test-electron');
  const workspace = path.join(root, 'test', 'e2e', 'fixtures', 'ws');
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
  return 0;
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
