'use strict';
// Launcher 2 of the extension-host suite (offline): code-server's smoke-test driver loads the extension
// unpacked from the repository and awaits test/e2e/suite/index.js's run() inside the real Node extension host.
const { chromium } = require('playwright-core');
const [baseUrl, folder, extDir, testsPath] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await (await browser.newContext()).newPage();
  // Extension-host output reaches us as browser console messages; print only the suite's own lines.
  page.on('console', (m) => {
    const text = m.text();
    if (/\[bpf-iter-e2e\]|passed, \d+ failed/.test(text)) console.log(text.replace(/^.*?\[bpf-iter-e2e\] ?/, '  '));
  });
  const done = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  const host = new URL(baseUrl).host;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${extDir}`],
    ['extensionTestsPath', `vscode-remote://${host}${testsPath}`],
  ]);
  await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`, { timeout: 120000 });
  const code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), 240000))]);
  console.log(`extension host tests (code-server launcher) exited with ${code}`);
  await browser.close();
  process.exit(code === 0 ? 0 : 1);
})().catch((err) => { console.error(err); process.exit(1); });
