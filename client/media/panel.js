// @ts-check
// The Run panel's webview script. It only renders: all data arrives by postMessage and goes into the DOM with
// textContent, never innerHTML, so program output is always text. Message shapes: client/src/panel/messages.ts.
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const OVERSCAN = 40;
  const CHUNK = 500;
  /** Browsers cap element height (~33M px in Chromium); past this the scrollbar is scaled. */
  const MAX_SCROLL_HEIGHT = 8000000;

  /** @param {string} tag @param {Record<string,string>} [attrs] @param {(Node|string)[]} [children] */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children || []) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return node;
  }

  const state = {
    target: /** @type {any} */ (vscode.getState() || {}).target,
    view: /** @type {any} */ (null),
    lineCount: 0,
    byteLength: 0,
    lines: /** @type {Map<number,string>} */ (new Map()),
    /** The output of the run in flight is streaming in: its lines replaced the last result's. */
    streaming: false,
    pending: /** @type {Set<number>} */ (new Set()),
    requestId: 0,
    matches: /** @type {{line:number,column:number,length:number}[]} */ ([]),
    current: -1,
    query: '',
    section: 'output',
    /** {mode:'text'|'hex', binary:boolean}: the output view (hex lines are hexdump -C lines, still plain text) */
    output: { mode: 'text', binary: false },
    linkJson: false,
    openMaps: /** @type {Set<number>} */ (new Set()),
  };

  // ---- static layout ----
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const title = el('h1', { id: 'title' });
  const status = el('span', { id: 'status', role: 'status' });
  const rerun = el('button', { id: 'rerun', class: 'primary', title: 'Run the program again' }, ['Re-run']);
  // a long run: its progress ("412,000 of 1,000,000 elements, 1,210,000 elements/s"), a bar when the total is known
  const progressBar = el('progress', { id: 'progress-bar', max: '100' });
  const progressText = el('span', { id: 'progress-text' });
  const cancelRun = el('button', { id: 'cancel-run', title: 'Stop the run' }, ['Cancel']);
  const progressBox = el('span', { id: 'progress', hidden: '' }, [progressBar, progressText, cancelRun]);
  const header = el('header', {}, [title, status, progressBox, rerun]);
  const banner = el('div', { id: 'stale', class: 'banner', hidden: '' });
  const errorBox = el('div', { id: 'error', class: 'error', hidden: '', role: 'alert' });
  const tabs = el('nav', { role: 'tablist' });
  const sections = /** @type {Record<string, HTMLElement>} */ ({});
  for (const [id, label] of [['output', 'Output'], ['trace', 'Trace'], ['link', 'Link'], ['maps', 'Maps & World'], ['stats', 'Stats']]) {
    const tab = el('button', { role: 'tab', id: `tab-${id}`, 'data-section': id }, [label]);
    tab.addEventListener('click', () => showSection(id));
    tabs.append(tab);
    sections[id] = el('section', { id: `section-${id}`, role: 'tabpanel', 'aria-labelledby': `tab-${id}` });
  }

  // output section: toolbar + virtualized viewport
  const search = /** @type {HTMLInputElement} */ (el('input', { id: 'search', type: 'search', placeholder: 'Search output', 'aria-label': 'Search output' }));
  const matchInfo = el('span', { id: 'match-info' });
  const prev = el('button', { title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, ['↑']);
  const next = el('button', { title: 'Next match (Enter)', 'aria-label': 'Next match' }, ['↓']);
  const copy = el('button', { id: 'copy', title: 'Copy the whole output' }, ['Copy']);
  const sizeInfo = el('span', { id: 'size-info' });
  const textMode = el('button', { role: 'radio', id: 'mode-text', title: 'Show the output as text' }, ['Text']);
  const hexMode = el('button', { role: 'radio', id: 'mode-hex', title: 'Show the bytes as hexdump -C does: offset, hex bytes, ASCII' }, ['Hex']);
  textMode.addEventListener('click', () => vscode.postMessage({ type: 'setOutputMode', mode: 'text' }));
  hexMode.addEventListener('click', () => vscode.postMessage({ type: 'setOutputMode', mode: 'hex' }));
  const modeSwitch = el('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Output view' }, [textMode, hexMode]);
  const binaryNote = el('span', { id: 'binary-note', hidden: '', title: 'bpf_seq_write() wrote bytes that are not UTF-8 text; the hex view shows them exactly' }, ['binary output']);
  const toolbar = el('div', { class: 'toolbar' }, [search, prev, next, matchInfo, el('span', { class: 'spacer' }), binaryNote, modeSwitch, sizeInfo, copy]);
  const viewport = el('div', { id: 'output', class: 'output', tabindex: '0', 'aria-label': 'Iterator output' });
  const spacer = el('div', { class: 'output-spacer' });
  const rows = el('div', { class: 'output-rows' });
  viewport.append(spacer, rows);
  const emptyOutput = el('div', { class: 'empty', hidden: '' }, ['The iterator printed nothing.']);
  sections.output.append(toolbar, viewport, emptyOutput);

  app.append(header, banner, errorBox, tabs, ...Object.values(sections));

  // line height of the editor font, measured once
  const probe = el('div', { class: 'output-line' }, ['Mg']);
  rows.append(probe);
  let lineHeight = probe.getBoundingClientRect().height || 18;
  probe.remove();

  rerun.addEventListener('click', () => vscode.postMessage({ type: 'rerun' }));
  cancelRun.addEventListener('click', () => vscode.postMessage({ type: 'cancelRun' }));
  copy.addEventListener('click', () => vscode.postMessage({ type: 'copyOutput' }));
  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => vscode.postMessage({ type: 'search', query: search.value }), 150);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); step(e.shiftKey ? -1 : 1); }
  });
  viewport.addEventListener('scroll', () => renderRows());
  window.addEventListener('resize', () => renderRows());

  function renderOutputMode() {
    textMode.setAttribute('aria-checked', String(state.output.mode === 'text'));
    hexMode.setAttribute('aria-checked', String(state.output.mode === 'hex'));
    binaryNote.hidden = !state.output.binary;
    viewport.classList.toggle('hex', state.output.mode === 'hex');
  }

  /** A new line source (a result, or text <-> hex): drop cached lines and matches, search again. */
  function resetLines(lineCount) {
    state.lineCount = lineCount;
    state.lines.clear();
    state.pending.clear();
    state.matches = [];
    state.current = -1;
    updateMatchInfo();
    renderOutputMode();
    emptyOutput.hidden = lineCount !== 0;
    viewport.hidden = lineCount === 0;
    viewport.scrollTop = 0;
    renderRows();
    if (search.value) vscode.postMessage({ type: 'search', query: search.value });
  }

  /** More lines of a streaming output: keep the cached ones but the last (it may have grown), follow the end. */
  function growLines(lineCount) {
    const following = state.lineCount === 0 || viewport.scrollTop + viewport.clientHeight >= scrollHeight() - lineHeight;
    if (state.lineCount > 0) {
      const lastChunk = Math.floor((state.lineCount - 1) / CHUNK);
      for (let i = lastChunk * CHUNK; i < state.lineCount; i++) state.lines.delete(i);
      state.pending.delete(lastChunk);
    }
    state.lineCount = lineCount;
    emptyOutput.hidden = lineCount !== 0;
    viewport.hidden = lineCount === 0;
    spacer.style.height = `${scrollHeight()}px`;
    if (following) viewport.scrollTop = scrollHeight();
    renderRows();
  }

  function showProgress(on) {
    progressBox.hidden = !on;
    if (!on) return;
    progressBar.removeAttribute('value');
    progressText.textContent = '';
    cancelRun.removeAttribute('disabled');
  }

  function plural(n, word) {
    return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  }

  // ---- virtualized output ----
  function scrollHeight() {
    return Math.min(state.lineCount * lineHeight, MAX_SCROLL_HEIGHT);
  }
  function visibleLineCount() {
    return Math.ceil(viewport.clientHeight / lineHeight) + 1;
  }
  /** Fractional index of the first visible line for the current scrollTop (scaled for huge outputs). */
  function firstLineAt(scrollTop) {
    const full = state.lineCount * lineHeight;
    if (full <= MAX_SCROLL_HEIGHT) return scrollTop / lineHeight;
    const maxScroll = Math.max(1, MAX_SCROLL_HEIGHT - viewport.clientHeight);
    return (scrollTop / maxScroll) * Math.max(0, state.lineCount - visibleLineCount() + 1);
  }
  function scrollTopFor(line) {
    const full = state.lineCount * lineHeight;
    if (full <= MAX_SCROLL_HEIGHT) return line * lineHeight;
    const maxScroll = Math.max(1, MAX_SCROLL_HEIGHT - viewport.clientHeight);
    return (line / Math.max(1, state.lineCount - visibleLineCount() + 1)) * maxScroll;
  }

  function requestChunk(chunk) {
    if (state.pending.has(chunk)) return;
    state.pending.add(chunk);
    vscode.postMessage({ type: 'getLines', requestId: ++state.requestId, start: chunk * CHUNK, count: CHUNK });
  }

  function renderRows() {
    spacer.style.height = `${scrollHeight()}px`;
    const position = firstLineAt(viewport.scrollTop);
    const first = Math.max(0, Math.floor(position) - 1);
    const last = Math.min(state.lineCount, Math.ceil(position) + visibleLineCount() + 1);
    rows.style.transform = `translateY(${viewport.scrollTop - (position - first) * lineHeight}px)`;
    for (let c = Math.floor(Math.max(0, first - OVERSCAN) / CHUNK); c <= Math.floor(Math.min(state.lineCount - 1, last + OVERSCAN) / CHUNK); c++) {
      if (!state.lines.has(c * CHUNK)) requestChunk(c);
    }
    const frag = document.createDocumentFragment();
    const currentMatch = state.matches[state.current];
    for (let i = first; i < last; i++) {
      const text = state.lines.get(i);
      const row = el('div', { class: 'output-line', 'data-line': String(i) });
      if (text === undefined) row.classList.add('loading');
      else appendHighlighted(row, text, i, currentMatch);
      frag.append(row);
    }
    rows.replaceChildren(frag);
  }

  /** Text with the search matches of this line in <mark>s; every piece is a text node. */
  function appendHighlighted(row, text, line, currentMatch) {
    const onLine = state.matches.filter((m) => m.line === line);
    if (onLine.length === 0) { row.textContent = text.length === 0 ? '\u200b' : text; return; }
    let at = 0;
    for (const m of onLine) {
      if (m.column > at) row.append(document.createTextNode(text.slice(at, m.column)));
      const mark = el('mark', m === currentMatch ? { class: 'current' } : {});
      mark.textContent = text.slice(m.column, m.column + m.length);
      row.append(mark);
      at = m.column + m.length;
    }
    if (at < text.length) row.append(document.createTextNode(text.slice(at)));
  }

  function step(delta) {
    if (state.matches.length === 0) return;
    state.current = (state.current + delta + state.matches.length) % state.matches.length;
    const line = state.matches[state.current].line;
    const position = firstLineAt(viewport.scrollTop);
    if (line < position || line >= position + visibleLineCount() - 2) {
      viewport.scrollTop = scrollTopFor(Math.max(0, line - 3));
    }
    updateMatchInfo();
    renderRows();
  }

  function updateMatchInfo(truncated) {
    if (!state.query) { matchInfo.textContent = ''; return; }
    if (state.matches.length === 0) { matchInfo.textContent = 'No results'; return; }
    const more = truncated ? '+' : '';
    matchInfo.textContent = `${state.current + 1} of ${state.matches.length}${more}`;
  }

  // ---- other sections ----
  function renderLink() {
    const s = sections.link;
    s.replaceChildren();
    const link = state.view && state.view.link;
    if (!link) { s.append(el('div', { class: 'empty' }, ['No link was created.'])); return; }
    const plain = el('button', { role: 'radio', 'aria-checked': String(!state.linkJson) }, ['bpftool link show']);
    const json = el('button', { role: 'radio', 'aria-checked': String(state.linkJson) }, ['JSON (-j)']);
    plain.addEventListener('click', () => { state.linkJson = false; renderLink(); });
    json.addEventListener('click', () => { state.linkJson = true; renderLink(); });
    const pre = el('pre', { id: 'link-text', class: 'code' });
    pre.textContent = state.linkJson ? link.json : link.plain;
    const fdinfo = el('pre', { id: 'fdinfo-text', class: 'code' });
    fdinfo.textContent = link.fdinfo;
    s.append(el('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Link format' }, [plain, json]), pre,
      el('h2', {}, ['fdinfo']), fdinfo);
  }

  function renderMaps() {
    const s = sections.maps;
    s.replaceChildren();
    const maps = (state.view && state.view.maps) || [];
    if (maps.length === 0) { s.append(el('div', { class: 'empty' }, ['The simulated kernel has no maps.'])); return; }
    const headers = [['ID', 1], ['Name', 0], ['Type', 0], ['Key', 1], ['Value', 1], ['Max', 1], ['Elems', 1]];
    const head = el('tr', {}, headers.map(([h, num]) => el('th', num ? { class: 'num' } : {}, [String(h)])));
    const body = el('tbody');
    for (const m of maps) {
      const cells = [String(m.id), m.name, m.type, `${m.keySize} B`, `${m.valueSize} B`, String(m.maxEntries), String(m.elements)]
        .map((t, i) => el('td', headers[i][1] ? { class: 'num' } : {}, [t]));
      const row = el('tr', { class: 'map-row', 'data-map-id': String(m.id), tabindex: '0',
        title: m.entriesAvailable ? 'Open the entries' : 'The entries were not sent (too large)' }, cells);
      const open = () => { if (m.entriesAvailable) vscode.postMessage({ type: 'openMapEntries', mapId: m.id }); };
      row.addEventListener('click', open);
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      body.append(row);
    }
    s.append(el('table', { class: 'maps' }, [el('thead', {}, [head]), body]),
      el('p', { class: 'hint' }, ['Click a map to open its entries; per-CPU maps list one value per CPU.']));
  }

  // the simulated machine beside the maps: one compact table per kind of object (view.world, built by viewModel.ts)
  function renderWorld() {
    const s = sections.maps;
    const tables = (state.view && state.view.world) || [];
    if (tables.length === 0) return;
    const world = el('div', { class: 'world', id: 'world' });
    for (const t of tables) {
      const more = t.total > t.rows.length ? ` (first ${t.rows.length} of ${t.total})` : ` (${t.total})`;
      world.append(el('h2', {}, [t.title + more]));
      if (t.rows.length === 0) { world.append(el('div', { class: 'empty' }, [t.empty])); continue; }
      const head = el('tr', {}, t.columns.map((c) => el('th', c.numeric ? { class: 'num' } : {}, [c.label])));
      const body = el('tbody', {}, t.rows.map((row) => el('tr', {}, row.map((text, i) => el('td', t.columns[i].numeric ? { class: 'num' } : {}, [text])))));
      world.append(el('table', { class: 'maps world-table', id: `world-${t.id}` }, [el('thead', {}, [head]), body]));
    }
    s.append(world);
  }

  // bpf_printk() messages: the kernel's trace log, shown beside the seq output and never in it
  function renderTrace() {
    const s = sections.trace;
    s.replaceChildren();
    const lines = (state.view && state.view.trace) || [];
    const tab = document.getElementById('tab-trace');
    if (tab) tab.textContent = lines.length ? `Trace (${lines.length})` : 'Trace';
    if (lines.length === 0) { s.append(el('div', { class: 'empty' }, ['No bpf_printk() messages.'])); return; }
    const pre = el('pre', { id: 'trace-text', class: 'code' });
    pre.textContent = lines.join('\n');
    s.append(pre, el('p', { class: 'hint' }, ['What /sys/kernel/tracing/trace_pipe shows after "bpf_trace_printk: ".']));
  }

  function renderStats() {
    const s = sections.stats;
    s.replaceChildren();
    const dl = el('dl', { class: 'stats' });
    for (const st of (state.view && state.view.stats) || []) dl.append(el('dt', {}, [st.label]), el('dd', {}, [st.value]));
    s.append(dl);
  }

  function renderError() {
    const err = state.view && state.view.error;
    errorBox.replaceChildren();
    if (!err) { errorBox.hidden = true; return; }
    errorBox.hidden = false;
    errorBox.append(el('span', { class: 'errno' }, [err.errno]), ' ', el('span', { class: 'message' }, [err.message]));
    if (err.location) {
      const go = el('a', { href: '#', class: 'location', title: 'Go to the source' }, [err.location]);
      go.addEventListener('click', (e) => { e.preventDefault(); vscode.postMessage({ type: 'reveal', file: err.file, range: err.range }); });
      errorBox.append(' ', go);
    }
  }

  function showSection(id) {
    state.section = id;
    for (const [key, s] of Object.entries(sections)) s.hidden = key !== id;
    for (const tab of tabs.children) tab.setAttribute('aria-selected', String(tab.getAttribute('data-section') === id));
    if (id === 'output') renderRows();
  }

  // ---- messages from the extension ----
  window.addEventListener('message', (event) => {
    const m = event.data;
    switch (m.type) {
      case 'running':
        state.target = m.target;
        vscode.setState({ target: m.target });
        status.textContent = 'Running…';
        rerun.setAttribute('disabled', '');
        state.streaming = false;
        showProgress(true);
        break;
      case 'progress':
        progressText.textContent = m.message;
        if (typeof m.percent === 'number') progressBar.setAttribute('value', String(m.percent));
        else progressBar.removeAttribute('value');
        break;
      case 'streaming':
        state.byteLength = m.byteLength;
        sizeInfo.textContent = `${plural(m.lineCount, 'line')}, ${plural(m.byteLength, 'byte')} so far`;
        if (!state.streaming) {
          // the first page: the last result's lines make way for this run's
          state.streaming = true;
          state.output = { mode: 'text', binary: false };
          resetLines(0);
        }
        growLines(m.lineCount);
        break;
      case 'result':
        state.target = m.target;
        vscode.setState({ target: m.target });
        state.view = m.view;
        state.byteLength = m.byteLength;
        state.output = m.output;
        title.textContent = m.view.title;
        status.textContent = m.view.error ? 'Failed' : 'Done';
        status.className = m.view.error ? 'failed' : 'done';
        rerun.removeAttribute('disabled');
        banner.hidden = true;
        state.streaming = false;
        showProgress(false);
        sizeInfo.textContent = `${plural(m.lineCount, 'line')}, ${plural(m.byteLength, 'byte')}${m.note ? `; ${m.note}` : ''}`;
        renderError(); renderTrace(); renderLink(); renderMaps(); renderWorld(); renderStats();
        resetLines(m.lineCount);
        break;
      case 'outputMode':
        state.output = m.output;
        sizeInfo.textContent = `${plural(m.lineCount, 'line')}, ${plural(state.byteLength, 'byte')}`;
        resetLines(m.lineCount);
        break;
      case 'lines': {
        m.lines.forEach((text, i) => state.lines.set(m.start + i, text));
        state.pending.delete(Math.floor(m.start / CHUNK));
        renderRows();
        break;
      }
      case 'searchResult':
        if (m.query !== search.value) break;
        state.query = m.query;
        state.matches = m.matches;
        state.current = m.matches.length > 0 ? 0 : -1;
        updateMatchInfo(m.truncated);
        if (m.matches.length > 0) { state.current = -1; step(1); } else renderRows();
        break;
      case 'stale':
        banner.replaceChildren(el('span', {}, [m.reason]), ' ');
        { const b = el('button', { class: 'primary' }, ['Re-run']); b.addEventListener('click', () => vscode.postMessage({ type: 'rerun' })); banner.append(b); }
        banner.hidden = false;
        break;
      case 'focusSection':
        showSection(m.section);
        break;
      case 'failed':
        status.textContent = m.message;
        status.className = 'failed';
        rerun.removeAttribute('disabled');
        state.streaming = false;
        showProgress(false);
        break;
    }
  });

  renderOutputMode();
  if (state.target) title.textContent = 'Restoring…';
  showSection('output');
  vscode.postMessage({ type: 'ready' });
})();
