'use strict';
// Browser UI tests: what a user sees in code-server with the packaged extension installed.
// Each check saves a screenshot under test/e2e/screenshots/ and prints its path.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const [baseUrl, folder, shots] = process.argv.slice(2);

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`  FAIL ${name}: ${String(err && err.message || err).split('\n').slice(0, 6).join(' | ')}`);
    // The screenshot stays on the machine that ran the test; this line travels with the log (CI shows only the log).
    console.log(`       layout: ${await layoutSummary().catch((e) => `unavailable (${e && e.message})`)}`);
    await shot(`failure-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
  }
}

let page;
/** One line on the workbench's layout: which parts show, at what size, and where the focus is. */
async function layoutSummary() {
  return page.evaluate(() => {
    const box = (el) => {
      if (!el) return 'absent';
      const r = el.getBoundingClientRect();
      return `${Math.round(r.width)}x${Math.round(r.height)}@${Math.round(r.x)},${Math.round(r.y)}`;
    };
    // each editor's size and the line numbers it renders (its scroll position)
    const editors = [...document.querySelectorAll('.part.editor .monaco-editor')].map((el) => {
      const numbers = [...el.querySelectorAll('.line-numbers')].map((n) => Number(n.textContent)).filter((n) => n > 0);
      return `${box(el)} lines ${numbers.length ? `${Math.min(...numbers)}-${Math.max(...numbers)}` : 'none'}`;
    });
    const active = document.activeElement;
    return JSON.stringify({
      editorPart: box(document.querySelector('.part.editor')),
      panel: box(document.querySelector('.part.panel')),
      panelMaximized: !!document.querySelector('.monaco-workbench.maximized-panel, .part.panel.maximized'),
      groups: document.querySelectorAll('.part.editor .editor-group-container').length,
      tabs: [...document.querySelectorAll('.tab')].map((t) => t.textContent.trim()).slice(0, 8),
      editors,
      focus: active ? `${active.tagName.toLowerCase()}.${String(active.className).split(' ').slice(0, 3).join('.')}` : 'none',
      quickInput: !!document.querySelector('.quick-input-widget:not([style*="display: none"])'),
      toasts: document.querySelectorAll('.notification-toast').length,
    });
  });
}
async function shot(name) {
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`       screenshot: ${file}`);
}

async function palette(command) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${command}`);
  // Wait for the *focused* row to be the command: the list filters asynchronously, and Enter on a row left from
  // the previous filter ran another command (CI saw Revert File land on the panel's group).
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: command }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

async function openFile(name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.fill(name);
  // The focused row, not any row: before the list filters, Enter opened a recently used file instead.
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 15000 });
  // Focus the editor. On a loaded machine the click waited 30 s for the editor to be "stable" and failed the
  // check (CI, and a run here at load 45): focus its group from the palette instead when the click does not land.
  await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 }, timeout: 15000 })
    .catch(() => palette('View: Focus First Editor Group'));
}

/** Hides the bottom panel when it shows: the editor checks below look for a line and a code lens in the editor. CI once
 *  failed three checks in a row finding them out of view (cause not seen; a panel left open is one way to get there). */
async function hidePanel() {
  if (!(await page.locator('.part.panel').first().isVisible().catch(() => false))) return;
  // "View: Hide Panel" is in the palette only while a panel shows
  await palette('View: Hide Panel');
  await page.locator('.part.panel').first().waitFor({ state: 'hidden', timeout: 10000 });
}

/** The 1-based number of the first line of a workspace file that holds `text`. */
function lineOf(file, text) {
  const index = fs.readFileSync(path.join(folder, file), 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${file} has no line with ${JSON.stringify(text)}`);
  return index + 1;
}

/** Moves the cursor to a line with Go to Line, which scrolls it into view whatever the editor's height and scroll. */
async function revealLine(lineNumber) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15000 });
  await input.fill(`:${lineNumber}`);
  await page.keyboard.press('Enter');
  await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${lineNumber},`) }).first().waitFor({ timeout: 10000 });
}

async function closeAllEditors() {
  await palette('View: Close All Editors');
  await page.locator('.tab').first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
}

/** The visible Run panel's document (webviews sit two iframes deep). */
const panel = () => page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  let dialogs = 0;
  try {
    page = await (await browser.newContext({ viewport: { width: 1400, height: 850 } })).newPage();
    // A reload may ask "leave site?" (beforeunload) while VS Code still holds state; that is the workbench's
    // own prompt, accepted here. Any other dialog (alert, confirm, prompt) would be output run as script.
    page.on('dialog', (d) => {
      if (d.type() === 'beforeunload') { void d.accept(); return; }
      dialogs++;
      console.log(`       dialog opened: ${d.type()} ${JSON.stringify(d.message())}`);
      void d.dismiss();
    });
    // a loaded machine (CI, shared runners) can take longer than the default 30 s to serve the workbench
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`, { timeout: 120000 });
    await page.getByRole('treeitem', { name: 'map_summary.bpf.c' }).waitFor({ timeout: 90000 });
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });

    await check('diagnostic in the Problems panel with the verifier words and range', async () => {
      await openFile('missing_null_check.bpf.c');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60000 });
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: "invalid mem access 'trusted_ptr_or_null_'" }).first();
      await row.waitFor({ timeout: 20000 });
      const text = await row.textContent();
      if (!/\[Ln 14, Col \d+\]/.test(text)) throw new Error(`Problems entry is not on line 14: ${text}`);
      // The first hover of a session can be swallowed (the editor still settling after the Problems panel opened,
      // flaky in CI): move away and hover again until it shows, as a user would.
      const squiggle = page.locator('.monaco-editor .squiggly-error').first();
      const hover = page.locator('.monaco-hover', { hasText: 'invalid mem access' }).first();
      for (let attempt = 0; ; attempt++) {
        await squiggle.hover({ force: true });
        if (await hover.waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
        if (attempt >= 5) throw new Error('no hover on the squiggle after 6 tries');
        await page.mouse.move(5, 5);
        await page.waitForTimeout(500);
      }
      await shot('01-diagnostic');
      await hidePanel();
    });

    await check('hover on ctx->meta shows the field documentation', async () => {
      await closeAllEditors();
      await hidePanel();
      await openFile('map_summary.bpf.c');
      await revealLine(lineOf('map_summary.bpf.c', 'ctx->meta->seq;'));
      const line = page.locator('.monaco-editor .view-line', { hasText: 'ctx->meta->seq;' }).first();
      await line.waitFor({ timeout: 15000 });
      // Tokens do not split at "meta"; hover the middle of its letters, found with a DOM Range.
      // The first hover can come before the server has the document: move away and back until it answers.
      const hover = page.locator('.monaco-hover', { hasText: 'seq_file' }).first();
      for (let attempt = 0; ; attempt++) {
        // Measured anew each time: the code lens that appears above the function moves the line down.
        const box = await line.evaluate((node) => {
          const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
          let offset = 0;
          const whole = node.textContent.replace(/\u00a0/g, ' ');
          const target = whole.indexOf('ctx->meta') + 'ctx->'.length + 1;
          for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            if (target < offset + t.length) {
              const range = document.createRange();
              range.setStart(t, target - offset);
              range.setEnd(t, target - offset + 1);
              const r = range.getBoundingClientRect();
              return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            }
            offset += t.length;
          }
          return null;
        });
        if (!box) throw new Error('ctx->meta not found on the line');
        await page.mouse.move(box.x, box.y + 200);
        await page.mouse.move(box.x, box.y, { steps: 4 });
        try {
          await hover.waitFor({ timeout: 5000 });
          break;
        } catch (err) {
          if (attempt === 5) throw err;
        }
      }
      await shot('02-hover');
      await page.keyboard.press('Escape');
    });

    await check('the code lens runs the program; the panel shows output, link info and maps', async () => {
      // the lens sits above the program's SEC line; bring that line into view first
      await revealLine(lineOf('map_summary.bpf.c', 'SEC("iter/bpf_map")'));
      const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /Run/ }).first();
      await lens.waitFor({ timeout: 30000 });
      await lens.click();
      const out = panel().locator('#output .output-line', { hasText: 'conntrack' }).first();
      await out.waitFor({ timeout: 60000 });
      const line = await out.textContent();
      if (!/^ *\d+ conntrack {8}\s+4\s+8\s+1024\s+3$/.test(line)) throw new Error(`unexpected output line: ${JSON.stringify(line)}`);
      await panel().locator('#status', { hasText: 'Done' }).waitFor();
      await shot('03-run-output');
      await panel().locator('#tab-link').click();
      await panel().locator('#link-text', { hasText: 'target_name bpf_map' }).waitFor({ timeout: 10000 });
      await panel().locator('#fdinfo-text', { hasText: 'link_type' }).waitFor({ timeout: 10000 });
      await shot('04-link-info');
      await panel().locator('button[role=radio]', { hasText: 'JSON' }).click();
      await panel().locator('#link-text', { hasText: '"prog_id"' }).waitFor({ timeout: 10000 });
      await panel().locator('#tab-maps').click();
      await panel().locator('tr.map-row', { hasText: 'pkt_count' }).waitFor({ timeout: 10000 });
      // the simulated machine beside the maps: the default system's processes, the namespace's sockets
      await panel().locator('#world-processes tr', { hasText: 'systemd' }).first().waitFor({ timeout: 10000 });
      await panel().locator('#world-sockets tr', { hasText: 'netlink' }).first().waitFor({ timeout: 10000 });
      await shot('05-maps');
      await panel().locator('#tab-output').click();
    });

    await check('editing the program makes the panel offer Re-run', async () => {
      // Focus the program's editor (the Run panel beside it has the focus now); from the palette when the click
      // does not land in time, as openFile does.
      await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 }, timeout: 10000 })
        .catch(() => palette('View: Focus First Editor Group'));
      await page.keyboard.press('Control+End');
      await page.keyboard.type('// edited\n');
      await panel().locator('#stale', { hasText: 'The program changed' }).waitFor({ timeout: 15000 });
      await shot('05b-stale');
      await panel().locator('#stale button', { hasText: 'Re-run' }).click();
      await panel().locator('#stale').waitFor({ state: 'hidden', timeout: 30000 });
      // Revert the edit so later checks see the file as on disk. Focus can still sit in the panel's webview after
      // Re-run, so focus the program's editor group and retry once if the revert landed elsewhere.
      const edited = page.locator('.monaco-editor .view-line', { hasText: '// edited' }).first();
      for (let attempt = 1; ; attempt++) {
        await palette('View: Focus First Editor Group');
        await page.locator('.tab.active', { hasText: 'map_summary.bpf.c' }).first().waitFor({ timeout: 10000 });
        await palette('File: Revert File');
        try {
          await edited.waitFor({ state: 'detached', timeout: 10000 });
          break;
        } catch (err) {
          if (attempt === 3) throw err;
        }
      }
    });

    await check('Compare with Real Kernel shows the two sides, and the one-line refusal where the kernel cannot be asked', async () => {
      // map_summary.bpf.c is still open in the first group from the checks above: the command runs on it without
      // Quick Open or a click into the editor (which timed out after the earlier checks in CI).
      await palette('View: Focus First Editor Group');
      const active = page.locator('.tab.active', { hasText: 'map_summary.bpf.c' }).first();
      if (!(await active.waitFor({ timeout: 10000 }).then(() => true, () => false))) await openFile('map_summary.bpf.c');
      await palette('BPF Iterator: Compare with Real Kernel');
      // Which answer comes depends on the machine (root, clang, bpftool, CPUs, what the sandbox allows): the same
      // output is one message; anything else opens the two sides, with a warning line when the kernel refused.
      const identical = page.locator('.notification-toast', { hasText: 'The real kernel printed the same output' });
      const refusedToast = page.locator('.notification-toast', { hasText: 'Real kernel:' }).first();
      const diffTab = page.locator('.tab', { hasText: 'simulated ↔ real kernel' });
      let answer;
      let refusal;
      for (const deadline = Date.now() + 180000; !answer;) {
        if (refusal === undefined && await refusedToast.count()) refusal = (await refusedToast.textContent()) || '';
        if (await identical.count()) answer = 'identical';
        else if (await diffTab.count()) answer = 'diff';
        else if (Date.now() > deadline) throw new Error('Compare with Real Kernel gave no answer within 180 s');
        else await page.waitForTimeout(300);
      }
      console.log(`       compare answered: ${answer}`);
      if (answer === 'diff') {
        const diff = page.locator('.monaco-diff-editor').first();
        await diff.waitFor({ timeout: 15000 });
        const sideText = async (side) => {
          const lines = diff.locator(`.editor.${side} .view-lines`).first();
          await lines.waitFor({ timeout: 15000 });
          for (const until = Date.now() + 15000; ; await page.waitForTimeout(200)) {
            const text = ((await lines.innerText()) || '').replace(/\u00a0/g, ' ').trim();
            if (text || Date.now() > until) return text;
          }
        };
        const simulated = await sideText('original');
        const kernel = await sideText('modified');
        if (!simulated) throw new Error('the simulated side of the diff is empty');
        if (!kernel) throw new Error('the real kernel side of the diff is empty');
        if (refusal === undefined && await refusedToast.count()) refusal = (await refusedToast.textContent()) || '';
        if (refusal !== undefined) {
          // the refusal is one line: the kernel side holds exactly it, "[ERRNO] why"
          const lines = kernel.split('\n').filter((l) => l.trim() !== '');
          if (lines.length !== 1 || !/^\[E[A-Z0-9]+\] /.test(lines[0])) throw new Error(`the refused kernel side is not one errno line: ${JSON.stringify(kernel)}`);
          const words = lines[0].replace(/^\[E[A-Z0-9]+\] /, '').slice(0, 40);
          if (!refusal.includes(words)) throw new Error(`the warning ${JSON.stringify(refusal)} does not say the kernel side's reason ${JSON.stringify(words)}`);
          console.log(`       kernel refused: ${lines[0].slice(0, 160)}`);
        }
      }
      await shot('11-compare-kernel');
      // Tidy up for the next checks, best effort: close the diff's tab with its own close button (the palette's
      // "View: Close Editor" row was not the focused one for that filter), then the notifications.
      if (answer === 'diff') {
        const tab = diffTab.first();
        await tab.hover().catch(() => undefined);
        await tab.locator('.tab-actions .codicon-close, .tab-actions .action-label').first().click({ timeout: 5000 }).catch(() => undefined);
        await tab.waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
      }
      await palette('Notifications: Clear All Notifications').catch(() => page.keyboard.press('Escape'));
    });

    await check('the panel survives a reload', async () => {
      // Reload through the workbench, not the browser: its orderly shutdown saves the editor layout (with the
      // panel) before the page goes; a bare page.reload() sometimes outran that save and the panel was not restored.
      const reloaded = page.waitForEvent('load', { timeout: 90000 });
      await palette('Developer: Reload Window');
      await reloaded;
      await page.getByRole('treeitem', { name: 'map_summary.bpf.c' }).waitFor({ timeout: 90000 });
      // the restored panel runs the program again on a fresh server: over 60 s at load 45
      await panel().locator('#output .output-line', { hasText: 'conntrack' }).first().waitFor({ timeout: 150000 });
      await shot('06-after-reload');
      await page.locator('.monaco-workbench').click({ position: { x: 300, y: 400 } });
    });

    await check('an EACCES attach shows the errno and a link to the source', async () => {
      await closeAllEditors();
      await openFile('key_too_wide.bpf.c');
      await palette('BPF Iterator: Run Iterator');
      const error = panel().locator('#error', { hasText: 'EACCES' });
      await error.waitFor({ timeout: 60000 });
      const location = panel().locator('#error a.location');
      const where = await location.textContent();
      if (!/^key_too_wide\.bpf\.c:\d+:\d+$/.test(where)) throw new Error(`error location is ${where}`);
      await shot('07-eacces');
      await location.click();
      const lineNumber = Number(where.split(':')[1]);
      await page.locator('.monaco-editor .current-line').first().waitFor({ timeout: 10000 });
      const status = page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${lineNumber},`) });
      await status.first().waitFor({ timeout: 10000 });
      await shot('08-eacces-revealed');
    });

    await check('a long run streams its output into the panel with its progress in the header, and Cancel stops it', async () => {
      await closeAllEditors();
      await openFile('long_run.bpf.c');
      await page.keyboard.press('Control+Alt+R');
      const cancel = panel().locator('#cancel-run');
      try {
        // lines arrive while the run goes (3,000,000 elements take seconds), with the rate and a bar above them
        await panel().locator('#progress-text', { hasText: /elements\/s/ }).waitFor({ timeout: 120000 });
        await panel().locator('#output .output-line', { hasText: /^key \d+ value \d+$/ }).first().waitFor({ timeout: 60000 });
        const status = await panel().locator('#status').textContent();
        if (!/Running/.test(status)) throw new Error(`the output should stream before the run ends; status is ${JSON.stringify(status)}`);
        if (!/so far/.test(await panel().locator('#size-info').textContent())) throw new Error('the size shown is not the streaming one');
        await shot('12-streaming');
        await cancel.click();
        await panel().locator('#status', { hasText: 'cancelled' }).waitFor({ timeout: 60000 });
      } finally {
        // a failed step must not leave the run hogging the machine for the next tests
        if (await cancel.isVisible().catch(() => false)) await cancel.click().catch(() => undefined);
      }
      if (!(await panel().locator('#progress').isHidden())) throw new Error('the progress stays after the run ended');
    });

    await check('output that looks like HTML is shown as text', async () => {
      await closeAllEditors();
      await openFile('prints_markup.bpf.c');
      await page.keyboard.press('Control+Alt+R');
      const line = panel().locator('#output .output-line', { hasText: '<script>alert(1)</script>' }).first();
      await line.waitFor({ timeout: 60000 });
      const text = await line.textContent();
      if (text !== '<script>alert(1)</script><b>bold?</b>') throw new Error(`line text is ${JSON.stringify(text)}`);
      if (await panel().locator('#output script, #output b').count() !== 0) throw new Error('output became markup');
      if (dialogs !== 0) throw new Error('a dialog opened');
      await panel().locator('#search').fill('bold');
      await panel().locator('#match-info', { hasText: '1 of 1' }).waitFor({ timeout: 10000 });
      await shot('09-markup-as-text');
    });

    await check('the getting-started walkthrough opens with its steps', async () => {
      await closeAllEditors();
      await palette('Welcome: Open Walkthrough...');
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with BPF Iterator Lab' }).first();
      await pick.waitFor({ timeout: 15000 });
      await pick.click();
      const steps = page.locator('.gettingStartedContainer');
      for (const title of ['Open an iterator program', 'See a diagnostic and fix it', 'Run it']) {
        await steps.locator('.getting-started-step', { hasText: title }).first().waitFor({ timeout: 20000 });
      }
      await shot('10-walkthrough');
      await closeAllEditors();
    });

  } catch (err) {
    results.push({ name: 'setup', ok: false });
    console.log(`  FAIL setup: ${err && err.message}`);
    if (page) await shot('failure-setup').catch(() => undefined);
  } finally {
    await browser.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`UI tests: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
