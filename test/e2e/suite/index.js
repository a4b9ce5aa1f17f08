'use strict';
// The extension-host test suite (same module shape as @vscode/test-electron's). Prints its own closing line,
// because the extension host's console does not fill in mocha's format strings.
const path = require('path');
const Mocha = require('mocha');

exports.run = () => new Promise((resolve, reject) => {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60000, color: false, reporter: SummaryReporter });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  mocha.run((failures) => {
    const total = mocha.suite.total();
    console.log(`[bpf-iter-e2e] ${total - failures} passed, ${failures} failed`);
    failures ? reject(new Error(`${failures} tests failed`)) : resolve();
  });
});

/** One pre-formatted line per test, prefixed so the launcher can pick them out of the browser console. */
function SummaryReporter(runner) {
  runner.on('pass', (t) => console.log(`[bpf-iter-e2e] ok   ${t.fullTitle()} (${t.duration} ms)`));
  runner.on('fail', (t, err) => console.log(`[bpf-iter-e2e] FAIL ${t.fullTitle()}: ${err && err.stack ? err.stack.split('\n').slice(0, 4).join(' | ') : err}`));
  runner.on('pending', (t) => console.log(`[bpf-iter-e2e] skip ${t.fullTitle()}`));
}
