'use strict';
// Debug Iterator in the real VS Code (code-server): breakpoint on a line of examples/hash_dump.bpf.c, start
// "BPF Iterator: Debug Iterator", and read ctx->meta->seq_num and the decoded key in the Variables view.
// Arguments as ui.e2e.js: <baseUrl> <workspace folder> <screenshot dir>. Exit code 1 on failure.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const [baseUrl, folder, shots] = process.argv.slice(2);
const root = path.join(__dirname, '../..');

function copyExample() {
  fs.copyFileSync(path.join(root, 'examples/hash_dump.bpf.c'), path.join(folder, 'hash_dump.bpf.c'));
  const scenario = JSON.parse(fs.readFileSync(path.join(root, 'examples/hash_dump.bpfscenario.json'), 'utf8'));
  delete scenario.$schema;
  fs.writeFileSync(path.join(folder, 'hash_dump.bpfscenario.json'), JSON.stringify(scenario, null, 2));
}

(async () => {
  copyExample();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] });
  let page;
  let ok = false;
  try {
    page = await (await browser.newContext({ viewport: { width: 1400, height: 850 } })).newPage();
    // a loaded machine (CI, shared runners) can take longer than the default 30 s to serve the workbench
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`, { timeout: 120000 });
    await page.getByRole('treeitem', { name: 'hash_dump.bpf.c' }).waitFor({ timeout: 90000 });
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('hash_dump.bpf.c');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'hash_dump.bpf.c' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'hash_dump.bpf.c' }).waitFor({ timeout: 15000 });
    await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+G');
    await page.keyboard.type('48');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 15000 });

    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>BPF Iterator: Debug Iterator');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug Iterator' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');

    const row = (name) => page.locator('.debug-view-content .monaco-list-row', { hasText: new RegExp(`^\\s*${name}\\s*[=:]`) }).first();
    const scope = (name) => page.locator('.debug-view-content .monaco-list-row', { hasText: name }).first();
    await page.locator('.debug-top-stack-frame-line').first().waitFor({ timeout: 60000 });
    await scope('Locals').click();
    await row('ctx').waitFor({ timeout: 15000 });
    // The Variables view is short: fold Locals again and the other panes so the Kernel scope's rows are rendered.
    await scope('Locals').click();
    for (const pane of ['Watch', 'Breakpoints']) await page.locator('.pane-header', { hasText: pane }).first().click();
    await scope('Kernel').click();
    await row('seq_num').waitFor({ timeout: 15000 });
    await row('key bytes').waitFor({ timeout: 15000 });
    // The decoded key: ctx->key through the map's struct flow_key.
    const keySummary = await row('key').textContent();
    if (!/sport=443/.test(keySummary)) throw new Error(`key row shows ${keySummary}`);
    await row('key').click();
    await row('saddr').waitFor({ timeout: 15000 });
    const seq = await row('seq_num').textContent();
    if (!/seq_num\s*[=:]?\s*0\b/.test(seq)) throw new Error(`seq_num row shows ${seq}`);
    await page.screenshot({ path: path.join(shots, 'debug-01-variables.png') });
    console.log(`  ok   Debug Iterator stops at line 48 and shows seq_num 0 and the decoded key (sport 443)`);
    console.log(`       screenshot: ${path.join(shots, 'debug-01-variables.png')}`);
    ok = true;
  } catch (err) {
    console.log(`  FAIL Debug Iterator: ${String(err && err.message || err).split('\n').slice(0, 6).join(' | ')}`);
    if (page) await page.screenshot({ path: path.join(shots, 'debug-failure.png') }).catch(() => undefined);
  } finally {
    await browser.close();
  }
  process.exit(ok ? 0 : 1);
})();
