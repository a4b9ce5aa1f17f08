import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { RunResult } from '../../../shared/src/protocol';
import { parseFromWebview, PanelTarget, ToWebview } from '../../../client/src/panel/messages';
import { OutputDocument } from '../../../client/src/panel/outputDocument';
import { buildViewModel, formatBytes, mapEntriesText, mapEntryRows, prettyJson, worldTables } from '../../../client/src/panel/viewModel';
import { runWebviewScript } from './fakeDom';
import { makeNonce, panelHtml } from '../../../client/src/panel/html';
import { DEFAULT_PANEL_OUTPUT_BYTES, MAX_LINES_PER_MESSAGE, PanelController, PanelHost, RunLive } from '../../../client/src/panel/panelController';
import { StreamedOutput } from '../../../client/src/panel/streamedOutput';
import fc from 'fast-check';
import { HexDocument } from '../../../client/src/panel/hexDocument';
import { hexDump, hexDumpLine } from '../../../shared/src/hexdump';

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    output: 'a\nb\n',
    link: { id: 7, prog_id: 12, target_name: 'bpf_map_elem', map_id: 3 },
    bpftool: '7: iter  prog 12  target_name bpf_map_elem  map_id 3\n',
    bpftoolJson: '{"id":7,"type":"iter","prog_id":12}',
    fdinfo: 'link_type:\titer\nlink_id:\t7\n',
    maps: [{ id: 3, name: 'flows', type: 'percpu_hash', key_size: 16, value_size: 8, max_entries: 64, flags: 0, elements: 1,
      entries: [{ key: '01 00', values: ['05 00', '06 00'] }] }],
    trace: [],
    stats: { objects: 3, bytes: 4, reads: 2, instructions: 120, timeMs: 0.5 },
    error: null,
    ...overrides,
  };
}

describe('client panel: OutputDocument (seq output as cat shows it, by line windows)', () => {
  it('splits on newline and does not invent a line after the trailing newline', () => {
    const doc = new OutputDocument('one\ntwo\n');
    assert.strictEqual(doc.lineCount, 2);
    assert.deepStrictEqual(doc.lines(0, 10), ['one', 'two']);
  });
  it('keeps a last line without newline and empty lines in between', () => {
    const doc = new OutputDocument('x\n\ny');
    assert.deepStrictEqual(doc.lines(0, 3), ['x', '', 'y']);
  });
  it('an empty output has no lines; windows past the end are empty, never throw', () => {
    assert.strictEqual(new OutputDocument('').lineCount, 0);
    assert.deepStrictEqual(new OutputDocument('a\n').lines(5, 3), []);
  });
  it('reports the UTF-8 byte length like wc -c', () => {
    assert.strictEqual(new OutputDocument('é\n').byteLength, 3);
  });
  it('finds matches case-insensitively with line and column, and stops at the limit', () => {
    const doc = new OutputDocument('Alpha\nbeta ALPHA\n');
    assert.deepStrictEqual(doc.search('alpha').matches, [{ line: 0, column: 0, length: 5 }, { line: 1, column: 5, length: 5 }]);
    const many = new OutputDocument('x'.repeat(50));
    const limited = many.search('x', 10);
    assert.strictEqual(limited.matches.length, 10);
    assert.strictEqual(limited.truncated, true);
  });
  it('pages a large output (200k lines) without building all lines', () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const doc = new OutputDocument(text);
    assert.strictEqual(doc.lineCount, 200_000);
    assert.deepStrictEqual(doc.lines(199_998, 5), ['line 199998', 'line 199999']);
    assert.strictEqual(doc.lineAt(text.indexOf('line 1234\n')), 1234);
  });
});

describe('client panel: view model (everything is text for textContent)', () => {
  it('keeps link info as bpftool prints it and indents the JSON', () => {
    const view = buildViewModel(result(), 'dump_flows');
    assert.strictEqual(view.link?.plain, '7: iter  prog 12  target_name bpf_map_elem  map_id 3\n');
    assert.strictEqual(view.link?.json, '{\n  "id": 7,\n  "type": "iter",\n  "prog_id": 12\n}');
    assert.strictEqual(prettyJson('not json'), 'not json');
  });
  it('lists maps with sizes and element counts, and per-CPU values per CPU', () => {
    const r = result();
    assert.deepStrictEqual(buildViewModel(r, 't').maps[0], { id: 3, name: 'flows', type: 'percpu_hash', keySize: 16, valueSize: 8,
      maxEntries: 64, elements: 1, entriesAvailable: true });
    assert.deepStrictEqual(mapEntryRows(r.maps[0])[0].values, [{ label: 'cpu0', value: '05 00' }, { label: 'cpu1', value: '06 00' }]);
    assert.match(mapEntriesText(r.maps[0]), /value \(CPU 01\): 06 00\nFound 1 element\n$/);
  });
  it('shows an error with errno, the kernel words and a 1-based source location', () => {
    const view = buildViewModel(result({ output: '', link: null, bpftool: '', fdinfo: '', error: { errno: 'EACCES', message: 'Permission denied',
      file: 'file:///ws/hash%20dump.bpf.c', range: { start: { line: 40, character: 2 }, end: { line: 40, character: 9 } } } }), 't');
    assert.strictEqual(view.link, null);
    assert.deepStrictEqual(view.error, { errno: 'EACCES', message: 'Permission denied', file: 'file:///ws/hash%20dump.bpf.c',
      range: { start: { line: 40, character: 2 }, end: { line: 40, character: 9 } }, location: 'hash dump.bpf.c:41:3' });
  });
  it('formats stats and byte sizes', () => {
    assert.strictEqual(formatBytes(512), '512 B');
    assert.strictEqual(formatBytes(1536), '1.5 KiB (1,536 B)');
    assert.deepStrictEqual(buildViewModel(result(), 't').stats.map((s) => s.label), ['Objects', 'Bytes', 'read() calls', 'Instructions', 'Time']);
  });
});

describe('client panel: messages from the webview are validated', () => {
  it('accepts well-formed messages', () => {
    assert.deepStrictEqual(parseFromWebview({ type: 'getLines', requestId: 1, start: 0, count: 50 }), { type: 'getLines', requestId: 1, start: 0, count: 50 });
    assert.deepStrictEqual(parseFromWebview({ type: 'rerun', extra: 1 }), { type: 'rerun' });
    assert.deepStrictEqual(parseFromWebview({ type: 'setOutputMode', mode: 'hex', x: 1 }), { type: 'setOutputMode', mode: 'hex' });
  });
  it('drops unknown types and malformed fields', () => {
    for (const bad of [null, 'ready', {}, { type: 'eval' }, { type: 'getLines', requestId: 1, start: -1, count: 5 },
      { type: 'reveal', file: 'x', range: { start: { line: 'a', character: 0 }, end: { line: 0, character: 0 } } },
      { type: 'search', query: 42 }, { type: 'openMapEntries', mapId: 1.5 }, { type: 'setOutputMode', mode: 'html' }]) {
      assert.strictEqual(parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('client panel: HTML shell', () => {
  it('has a strict CSP: nothing by default, scripts only with the nonce', () => {
    const html = panelHtml({ cspSource: 'vscode-resource:', scriptUri: 's.js', styleUri: 's.css', nonce: 'N0nce' });
    assert.match(html, /default-src 'none'; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-N0nce'/);
    assert.strictEqual((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="N0nce" src="s.js">/);
  });
  it('makes a different nonce each time', () => {
    assert.notStrictEqual(makeNonce(), makeNonce());
  });
});

class FakeHost implements PanelHost {
  posted: ToWebview[] = [];
  copied: string[] = [];
  revealed: string[] = [];
  runs: PanelTarget[] = [];
  answers: Array<() => Promise<RunResult | undefined>> = [];
  post(m: ToWebview) { this.posted.push(m); }
  run(t: PanelTarget) { this.runs.push(t); const next = this.answers.shift(); return next ? next() : Promise.resolve(result()); }
  async copyText(t: string) { this.copied.push(t); }
  reveal(file: string) { this.revealed.push(file); }
  openMapEntries() {}
  titleFor(t: PanelTarget) { return t.program ?? 'program'; }
  last<T extends ToWebview['type']>(type: T) { return this.posted.filter((m) => m.type === type).pop() as Extract<ToWebview, { type: T }>; }
}

describe('client panel: controller', () => {
  it('runs on ready, then answers line windows, search and copy from the last output', async () => {
    const host = new FakeHost();
    const c = new PanelController(host, { uri: 'file:///a.bpf.c', program: 'dump' });
    await c.handle({ type: 'ready' });
    assert.strictEqual(host.runs.length, 1);
    assert.deepStrictEqual(host.posted.map((m) => m.type), ['running', 'result']);
    assert.strictEqual(host.last('result').lineCount, 2);
    await c.handle({ type: 'getLines', requestId: 4, start: 1, count: 5 });
    assert.deepStrictEqual(host.last('lines'), { type: 'lines', requestId: 4, start: 1, lines: ['b'] });
    await c.handle({ type: 'search', query: 'B' });
    assert.deepStrictEqual(host.last('searchResult').matches, [{ line: 1, column: 0, length: 1 }]);
    await c.handle({ type: 'copyOutput' });
    assert.deepStrictEqual(host.copied, ['a\nb\n']);
  });
  it('a second ready (webview reloaded) re-sends the result without running again', async () => {
    const host = new FakeHost();
    const c = new PanelController(host, { uri: 'u' });
    await c.handle({ type: 'ready' });
    await c.handle({ type: 'ready' });
    assert.strictEqual(host.runs.length, 1);
    assert.strictEqual(host.posted.filter((m) => m.type === 'result').length, 2);
  });
  it('a ready that arrives during the first run does not start a second run', async () => {
    const host = new FakeHost();
    let release!: () => void;
    host.answers.push(() => new Promise((resolve) => { release = () => resolve(result()); }));
    const c = new PanelController(host, { uri: 'u' });
    const first = c.rerun();
    await c.handle({ type: 'ready' });
    release();
    await first;
    assert.strictEqual(host.runs.length, 1);
    assert.deepStrictEqual(host.posted.map((m) => m.type), ['running', 'running', 'result']);
  });
  it('caps a line window', async () => {
    const host = new FakeHost();
    host.answers.push(async () => result({ output: 'x\n'.repeat(MAX_LINES_PER_MESSAGE + 10) }));
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    await c.handle({ type: 'getLines', requestId: 1, start: 0, count: 1e9 });
    assert.strictEqual(host.last('lines').lines.length, MAX_LINES_PER_MESSAGE);
  });
  it('the newest of two overlapping runs wins', async () => {
    const host = new FakeHost();
    let releaseFirst!: () => void;
    host.answers.push(() => new Promise((resolve) => { releaseFirst = () => resolve(result({ output: 'old\n' })); }));
    host.answers.push(async () => result({ output: 'new\n' }));
    const c = new PanelController(host, { uri: 'u' });
    const first = c.rerun();
    await c.rerun();
    releaseFirst();
    await first;
    assert.strictEqual(c.lastResult?.output, 'new\n');
  });
  it('reports a failed or cancelled run, and marks a shown result stale', async () => {
    const host = new FakeHost();
    host.answers.push(async () => { throw new Error('server crashed'); });
    host.answers.push(async () => undefined);
    const c = new PanelController(host, { uri: 'u' });
    c.markStale('changed');
    assert.strictEqual(host.posted.length, 0, 'nothing to mark before a result');
    await c.rerun();
    assert.deepStrictEqual(host.last('failed'), { type: 'failed', message: 'server crashed' });
    await c.rerun();
    assert.deepStrictEqual(host.last('failed'), { type: 'failed', message: 'The run was cancelled.' });
    await c.rerun();
    c.markStale('program changed');
    assert.deepStrictEqual(host.last('stale'), { type: 'stale', reason: 'program changed' });
  });
});

describe('client panel: a run\'s output streaming in (pages, as the seq_file hands them to cat)', () => {
  const pagesOf = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const out: Uint8Array[] = [];
    let at = 0;
    for (const p of [...points, bytes.length]) { if (p > at) { out.push(bytes.slice(at, p)); at = p; } }
    return out;
  };

  it('an output document grown piece by piece is the document of the whole text', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '\n', 'x', '\r') , maxLength: 12 }), { maxLength: 12 }), (pieces) => {
      const grown = new OutputDocument('');
      for (const piece of pieces) grown.append(piece);
      const whole = new OutputDocument(pieces.join(''));
      assert.strictEqual(grown.lineCount, whole.lineCount);
      assert.deepStrictEqual(grown.lines(0, 1000), whole.lines(0, 1000));
      assert.strictEqual(grown.text, whole.text);
    }));
  });

  it('pages in any split give the text when the bytes are UTF-8 (a character may straddle pages, a BOM is kept), else the exact bytes', () => {
    const utf8 = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', '\uFEFF'), maxLength: 40 }).map((t) => new Uint8Array(Buffer.from(t, 'utf8')));
    fc.assert(fc.property(fc.oneof(utf8, fc.uint8Array({ maxLength: 60 })), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
      const stream = new StreamedOutput();
      let offset = 0;
      for (const page of pagesOf(bytes, cuts)) { stream.append(offset, page); offset += page.length; }
      const end = stream.finish(false);
      let text: string | undefined;
      try { text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes); } catch { text = undefined; }
      if (text !== undefined) {
        assert.ok('text' in end, 'valid UTF-8 is text');
        assert.strictEqual(end.text.text, text);
      } else {
        assert.ok('bytes' in end, 'not UTF-8: bytes');
        assert.ok(Buffer.from(end.bytes).equals(Buffer.from(bytes)), 'the exact bytes, also those before the first bad one');
      }
    }));
  });

  it('a kept part that ends inside a character (the reader stopped keeping there) is text without that character', () => {
    const stream = new StreamedOutput();
    const euro = Buffer.from('ok €', 'utf8');
    stream.append(0, euro.subarray(0, euro.length - 1));
    const end = stream.finish(true);
    assert.ok('text' in end);
    assert.strictEqual(end.text.text, 'ok ');
    assert.throws(() => new StreamedOutput().append(5, new Uint8Array(1)), /page at byte 5, expected 0/);
  });

  /** A host whose run streams `pages` through the panel's live hooks, then answers with a streamed result. */
  class StreamingHost extends FakeHost {
    lives: RunLive[] = [];
    constructor(private readonly pages: string[], private readonly total?: number) { super(); }
    keepBytes() { return 1000; }
    override run(t: PanelTarget, live?: RunLive) {
      this.runs.push(t);
      this.lives.push(live!);
      let offset = 0;
      for (const page of this.pages) {
        const bytes = Buffer.from(page, 'utf8');
        live!.onOutput(offset, bytes);
        offset += bytes.length;
      }
      live!.onProgress({ progressId: 'p', objects: 5, total: 10, bytes: offset, elapsedMs: 500, objectsPerSecond: 10, target: 'bpf_map_elem' });
      return Promise.resolve(result({ output: '', streamed: { bytes: this.total ?? offset, sentBytes: offset } }));
    }
  }

  it('streams lines into the view while the run goes, with progress, and keeps them as the result\'s output', async () => {
    const host = new StreamingHost(['one\ntw', 'o\nthree\n']);
    const c = new PanelController(host, { uri: 'u', program: 'p', map: 'm' });
    await c.rerun();
    assert.strictEqual(host.lives[0].keepBytes, 1000, 'the host\'s setting is what the run keeps');
    const types = host.posted.map((m) => m.type);
    assert.deepStrictEqual(types.filter((t) => t !== 'streaming'), ['running', 'progress', 'result']);
    assert.ok(types.includes('streaming'), 'the first page is shown at once');
    assert.deepStrictEqual(host.last('progress'), { type: 'progress', message: '5 of 10 elements, 10 elements/s', percent: 50 });
    assert.strictEqual(host.last('result').lineCount, 3);
    assert.strictEqual(host.last('result').note, undefined);
    await c.handle({ type: 'getLines', requestId: 1, start: 0, count: 5 });
    assert.deepStrictEqual(host.last('lines').lines, ['one', 'two', 'three']);
    await c.handle({ type: 'copyOutput' });
    assert.deepStrictEqual(host.copied, ['one\ntwo\nthree\n']);
    assert.strictEqual(c.lastResult?.output, 'one\ntwo\nthree\n', 'the run commands resolve with the kept output, as from any run');
  });

  it('a streamed binary output is the exact bytes in lastResult and the hex view', async () => {
    const host = new FakeHost();
    const bytes = new Uint8Array([0x41, 0xff, 0x00, 0x42]);
    host.run = (_t: PanelTarget, live?: RunLive) => { live!.onOutput(0, bytes.slice(0, 2)); live!.onOutput(2, bytes.slice(2)); return Promise.resolve(result({ output: '', streamed: { bytes: 4, sentBytes: 4 } })); };
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    assert.deepStrictEqual(host.last('result').output, { mode: 'hex', binary: true });
    assert.strictEqual(c.lastResult?.output, null);
    assert.strictEqual(c.lastResult?.output_hex, '41ff0042');
  });

  it('says what the panel did not keep of a longer output', async () => {
    const host = new StreamingHost(['kept\n'], 3 * 1024 * 1024);
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    assert.match(host.last('result').note ?? '', /keeps the first 5 B of 3\.0 MiB \(3,145,728 B\) \(bpfIter\.panelOutputBytes\)/);
  });

  it('Cancel aborts the run in flight, and a newer run aborts the older', async () => {
    const host = new FakeHost();
    const signals: AbortSignal[] = [];
    host.run = (t: PanelTarget, live?: RunLive) => { host.runs.push(t); signals.push(live!.signal); return new Promise<RunResult | undefined>((resolve) => live!.signal.addEventListener('abort', () => resolve(undefined))); };
    const c = new PanelController(host, { uri: 'u' });
    const first = c.rerun();
    const second = c.rerun();
    assert.strictEqual(signals[0].aborted, true, 'the older run is stopped');
    assert.strictEqual(signals[1].aborted, false);
    await c.handle({ type: 'cancelRun' });
    assert.strictEqual(signals[1].aborted, true);
    await Promise.all([first, second]);
    assert.deepStrictEqual(host.last('failed'), { type: 'failed', message: 'The run was cancelled.' });
    assert.strictEqual(DEFAULT_PANEL_OUTPUT_BYTES, 64 * 1024 * 1024);
  });

  it('the webview shows the progress bar with Cancel, streamed lines as they grow, and the note of the result', () => {
    const script = fs.readFileSync(path.join(__dirname, '../../../../client/media/panel.js'), 'utf8');
    const page = runWebviewScript(script);
    const byId = (id: string) => page.body.byId(id)!;
    page.send({ type: 'running', target: { uri: 'u' } });
    assert.strictEqual(byId('progress').hidden, false, 'a run shows its progress');
    page.send({ type: 'progress', message: '5 of 10 elements, 10 elements/s', percent: 50 });
    assert.strictEqual(byId('progress-text').textContent, '5 of 10 elements, 10 elements/s');
    assert.strictEqual(byId('progress-bar').getAttribute('value'), '50');
    byId('cancel-run').dispatch('click', {});
    assert.deepStrictEqual(JSON.parse(JSON.stringify(page.posted.at(-1))), { type: 'cancelRun' });
    page.send({ type: 'streaming', lineCount: 2, byteLength: 8 });
    assert.strictEqual(byId('size-info').textContent, '2 lines, 8 bytes so far');
    const asked = () => page.posted.filter((m) => (m as { type: string }).type === 'getLines').length;
    const before = asked();
    assert.ok(before >= 1, 'the streamed lines are asked for');
    page.send({ type: 'lines', requestId: 1, start: 0, lines: ['one', 'tw'] });
    page.send({ type: 'streaming', lineCount: 3, byteLength: 14 });
    assert.ok(asked() > before, 'the last line may have grown: it is asked for again');
    page.send({ type: 'result', target: { uri: 'u' }, view: buildViewModel(result(), 't'), lineCount: 3, byteLength: 14, output: { mode: 'text', binary: false },
      note: 'the panel keeps the first 14 B of 3.0 MiB (3,145,728 B) (bpfIter.panelOutputBytes)' });
    assert.strictEqual(byId('progress').hidden, true, 'the bar goes with the run');
    assert.strictEqual(byId('size-info').textContent, '3 lines, 14 bytes; the panel keeps the first 14 B of 3.0 MiB (3,145,728 B) (bpfIter.panelOutputBytes)');
  });
});

describe('client panel: hex view of binary output (hexdump -C lines, text only)', () => {
  /** every byte value, then "abc", an embedded NUL and high bytes: 256 + 13 bytes */
  const bytes = Buffer.concat([Buffer.from(Uint8Array.from({ length: 256 }, (_, b) => b)), Buffer.from('abc\x00\xff12345678', 'latin1')]);
  const binary = (): RunResult => result({ output: null, output_base64: bytes.toString('base64'), output_hex: bytes.toString('hex'), stats: { objects: 1, bytes: bytes.length, reads: 2, instructions: 9, timeMs: 1 } });

  it('lays a line out as hexdump -C does: offset, 8 + 8 hex bytes, ASCII column with dots, a short last line padded', () => {
    // both expected lines are what `printf ... | hexdump -C` prints (util-linux), checked by hand
    assert.strictEqual(hexDumpLine(bytes, 2), '00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  | !"#$%&\'()*+,-./|');
    assert.strictEqual(hexDumpLine(bytes, 16), '00000100  61 62 63 00 ff 31 32 33  34 35 36 37 38           |abc..12345678|');
    assert.strictEqual(hexDumpLine(bytes, 17), '');
    assert.strictEqual(hexDumpLine(bytes, 15), '000000f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|');
    assert.strictEqual(hexDump(bytes.subarray(0, 17)).split('\n').length, 3, 'two lines, each ending in a newline');
  });

  it('HexDocument pages lines from the bytes and searches hex digits and the ASCII column', () => {
    const doc = new HexDocument(bytes);
    assert.strictEqual(doc.lineCount, 17);
    assert.strictEqual(doc.byteLength, 269);
    assert.deepStrictEqual(doc.lines(16, 5), [hexDumpLine(bytes, 16)]);
    assert.deepStrictEqual(doc.lines(40, 5), []);
    assert.deepStrictEqual(doc.search('FF 31').matches, [{ line: 16, column: 22, length: 5 }]);
    assert.deepStrictEqual(doc.search('|ABC').matches, [{ line: 16, column: 60, length: 4 }]);
    assert.strictEqual(doc.lineAt(0x105), 16);
  });

  it('a binary result opens in the hex view with the exact bytes; the user switches to text and back', async () => {
    const host = new FakeHost();
    host.answers.push(async () => binary());
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    const shown = host.last('result');
    assert.deepStrictEqual(shown.output, { mode: 'hex', binary: true });
    assert.strictEqual(shown.lineCount, 17);
    assert.strictEqual(shown.byteLength, 269);
    await c.handle({ type: 'getLines', requestId: 1, start: 15, count: 10 });
    assert.deepStrictEqual(host.last('lines').lines, [
      '000000f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|',
      '00000100  61 62 63 00 ff 31 32 33  34 35 36 37 38           |abc..12345678|',
    ]);
    await c.handle({ type: 'copyOutput' });
    assert.strictEqual(host.copied.pop(), hexDump(bytes));

    await c.handle({ type: 'setOutputMode', mode: 'text' });
    const text = host.last('outputMode');
    assert.deepStrictEqual(text.output, { mode: 'text', binary: true });
    // the bytes as an editor would decode them: "\n" (0x0a) splits the first line
    assert.strictEqual(text.lineCount, 2);
    await c.handle({ type: 'getLines', requestId: 2, start: 0, count: 1 });
    assert.strictEqual(host.last('lines').lines[0], '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09');
    await c.handle({ type: 'search', query: 'abc' });
    // "ABC" and "abc" of the 0x00-0xff run and the trailing "abc", all after the 0x0a
    assert.deepStrictEqual(host.last('searchResult').matches.map((m) => m.line), [1, 1, 1]);

    await c.handle({ type: 'setOutputMode', mode: 'hex' });
    assert.deepStrictEqual(host.last('outputMode'), { type: 'outputMode', output: { mode: 'hex', binary: true }, lineCount: 17 });
    await c.handle({ type: 'setOutputMode', mode: 'hex' });
    assert.strictEqual(host.posted.filter((m) => m.type === 'outputMode').length, 2, 'switching to the current view posts nothing');
  });

  it('output_hex alone is enough to recover the bytes', async () => {
    const host = new FakeHost();
    host.answers.push(async () => result({ output: null, output_hex: bytes.toString('hex') }));
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    await c.handle({ type: 'getLines', requestId: 1, start: 16, count: 1 });
    assert.deepStrictEqual(host.last('lines').lines, [hexDumpLine(bytes, 16)]);
  });

  it('a text result opens as text, not binary, and can still be viewed as the hex of its UTF-8 bytes', async () => {
    const host = new FakeHost();
    host.answers.push(async () => result({ output: 'é\n' }));
    const c = new PanelController(host, { uri: 'u' });
    await c.rerun();
    assert.deepStrictEqual(host.last('result').output, { mode: 'text', binary: false });
    assert.strictEqual(host.last('result').byteLength, 3);
    await c.handle({ type: 'setOutputMode', mode: 'hex' });
    await c.handle({ type: 'getLines', requestId: 1, start: 0, count: 5 });
    assert.deepStrictEqual(host.last('lines').lines, ['00000000  c3 a9 0a                                          |...|']);
  });

  it('the webview script renders output with textContent only and knows the hex view', () => {
    const script = fs.readFileSync(path.join(__dirname, '../../../../client/media/panel.js'), 'utf8');
    assert.doesNotMatch(script, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write/);
    assert.match(script, /type: 'setOutputMode', mode: 'hex'/);
    assert.match(script, /case 'outputMode':/);
  });
});

const WORLD: NonNullable<RunResult['world']> = {
  processes: { rows: [
    { pid: 1, tgid: 1, ppid: 0, comm: 'systemd', state: 'S', uid: 0, kthread: false, files: 3 },
    { pid: 2, tgid: 2, ppid: 0, comm: 'kthreadd', state: 'I', uid: 0, kthread: true, files: 0 },
    { pid: 41, tgid: 40, ppid: 1, comm: '<script>', state: 'R', uid: 1000, kthread: false, files: 2 },
  ], total: 3 },
  sockets: { rows: [
    { protocol: 'tcp', family: 'inet6', state: 'listen', local: '[::]:22', remote: '', uid: 0, inode: 19212 },
    { protocol: 'unix', family: 'unix', state: 'established', local: '', remote: '* 18302', uid: 0, inode: 18301 },
  ], total: 1200 },
};

describe('client panel: the simulated machine beside the maps (world tables)', () => {
  it('turns processes and sockets into text tables: kernel threads in brackets, tcp6 for IPv6, the server\'s total kept', () => {
    const tables = buildViewModel(result({ world: WORLD }), 't').world;
    assert.deepStrictEqual(tables.map((t) => [t.id, t.total, t.columns.map((c) => c.label).join(',')]), [
      ['processes', 3, 'PID,TGID,PPID,Comm,S,UID,Files'], ['sockets', 1200, 'Proto,State,Local,Remote,UID,Inode']]);
    assert.deepStrictEqual(tables[0].rows[1], ['2', '2', '0', '[kthreadd]', 'I', '0', '0']);
    assert.deepStrictEqual(tables[0].rows[2], ['41', '40', '1', '<script>', 'R', '1000', '2']);
    assert.deepStrictEqual(tables[1].rows[0], ['tcp6', 'listen', '[::]:22', '', '0', '19212']);
    assert.deepStrictEqual(tables[0].columns.map((c) => c.numeric), [true, true, true, false, false, true, true]);
  });
  it('no world (a run refused before the kernel existed, or an older server): no tables', () => {
    assert.deepStrictEqual(buildViewModel(result(), 't').world, []);
    assert.deepStrictEqual(worldTables(undefined), []);
  });
  it('a new kind of object is one table entry: an absent member is skipped, a present one rendered like the others', () => {
    type Cg = { id: number; path: string };
    const world = { ...WORLD, cgroups: { rows: [{ id: 1, path: '/' }], total: 1 } } as unknown as NonNullable<RunResult['world']>;
    const spec = { id: 'cgroups', title: 'Cgroups', empty: 'none', rows: (w: unknown) => (w as { cgroups?: { rows: Cg[]; total: number } }).cgroups,
      columns: [{ label: 'ID', numeric: true, cell: (c: Cg) => c.id }, { label: 'Path', cell: (c: Cg) => c.path }] };
    const tables = worldTables(world, [spec as never]);
    assert.deepStrictEqual(tables, [{ id: 'cgroups', title: 'Cgroups', empty: 'none', total: 1, columns: [{ label: 'ID', numeric: true }, { label: 'Path', numeric: false }], rows: [['1', '/']] }]);
    assert.deepStrictEqual(worldTables(WORLD, [spec as never]), []);
  });
  it('the webview renders each table after the maps, as text, with counts and the cut noted', () => {
    const script = fs.readFileSync(path.join(__dirname, '../../../../client/media/panel.js'), 'utf8');
    const page = runWebviewScript(script);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(page.posted)), [{ type: 'ready' }]);
    const view = buildViewModel(result({ world: WORLD }), 'tasks');
    page.send({ type: 'result', target: { uri: 'u' }, view, lineCount: 2, byteLength: 4, output: { mode: 'text', binary: false } });
    const maps = page.body.byId('section-maps')!;
    const tables = maps.all().filter((n) => n.tagName === 'table');
    assert.deepStrictEqual(tables.map((t) => t.id || t.className), ['maps', 'world-processes', 'world-sockets']);
    const headings = maps.all().filter((n) => n.tagName === 'h2').map((h) => h.textContent);
    assert.deepStrictEqual(headings, ['Processes (3)', 'Sockets (first 2 of 1200)']);
    const rows = tables[1].all().filter((n) => n.tagName === 'tr').map((tr) => tr.children.map((td) => td.textContent));
    assert.deepStrictEqual(rows, [['PID', 'TGID', 'PPID', 'Comm', 'S', 'UID', 'Files'], ['1', '1', '0', 'systemd', 'S', '0', '3'],
      ['2', '2', '0', '[kthreadd]', 'I', '0', '0'], ['41', '40', '1', '<script>', 'R', '1000', '2']]);
    // program-controlled text (a comm) is a text node, never markup
    assert.ok(tables[1].all().some((n) => n.tagName === '#text' && n.textContent === '<script>'));
    assert.strictEqual(tables[2].all().filter((n) => n.tagName === 'td' && n.getAttribute('class') === 'num').length, 4);
    assert.strictEqual(page.body.byId('tab-maps')!.textContent, 'Maps & World');
    // a second result replaces the tables instead of adding more
    page.send({ type: 'result', target: { uri: 'u' }, view: buildViewModel(result(), 'tasks'), lineCount: 2, byteLength: 4, output: { mode: 'text', binary: false } });
    assert.deepStrictEqual(maps.all().filter((n) => n.tagName === 'table').length, 1);
  });
});
