import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunOutcome } from '../../server/src/exec/runner';
import { assertMatchesBaseline, localBaselineFolder } from '../baseline';
import { baselineHeader, baselineRunErrno, renderCorpusBaseline, sourceOf } from '../integration/corpusBaseline';

function outcome(bytes: Uint8Array, error: RunOutcome['error'] = null, trace: string[] = []): RunOutcome {
  let text: string | null;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { text = null; }
  return { output: text, outputBytes: bytes, error, trace } as unknown as RunOutcome;
}

describe('baselines: the comparison and the corpus rendering', () => {
  const suite = `baseline-unit-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-baseline-'));
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(localBaselineFolder(suite), { recursive: true, force: true });
  });

  it('an equal text passes and removes a stale local copy; a different one writes the local copy and fails with a diff', () => {
    const reference = path.join(dir, 'p.baseline');
    const local = path.join(localBaselineFolder(suite), 'p.baseline');
    fs.writeFileSync(reference, 'a\nb\n');
    assert.throws(() => assertMatchesBaseline(suite, reference, 'a\nc\n'), (e: Error) => /^-b$/m.test(e.message) && /^\+c$/m.test(e.message) && /baseline-accept/.test(e.message));
    assert.strictEqual(fs.readFileSync(local, 'utf8'), 'a\nc\n');
    assertMatchesBaseline(suite, reference, 'a\nb\n');
    assert.ok(!fs.existsSync(local));
  });

  it('a missing reference fails and writes the actual text', () => {
    const reference = path.join(dir, 'new.baseline');
    assert.throws(() => assertMatchesBaseline(suite, reference, 'x\n'), /no baseline/);
    assert.strictEqual(fs.readFileSync(path.join(localBaselineFolder(suite), 'new.baseline'), 'utf8'), 'x\n');
  });

  it('renders a diagnostic with its source line, tabs kept before the underline, and a caret for an empty range', () => {
    const text = 'int x;\n\tfoo(bar);\n';
    const text2 = renderCorpusBaseline('// source: test\n', '/c/p.bpf.c', text, [
      { range: { start: { line: 1, character: 1 }, end: { line: 1, character: 4 } }, severity: 1, code: 'BPF1', message: 'm1' },
      { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 4 } }, severity: 2, code: 'BPF2', message: 'm2' },
    ], outcome(new TextEncoder().encode('ok'), { errno: 'EACCES', message: 'refused' }));
    assert.strictEqual(text2, [
      '// source: test', '',
      '==== diagnostics (2) ====',
      'p.bpf.c(2,2): error BPF1: m1', '    2 | \tfoo(bar);', '      | \t~~~',
      'p.bpf.c(1,5): warning BPF2: m2', '    1 | int x;', '      |     ^',
      '', '==== run ====', 'error: EACCES: refused',
      '', '==== output (2 bytes) ====', 'ok', '\\ No newline at end of output', '',
    ].join('\n'));
    assert.strictEqual(sourceOf(text2), 'test');
  });

  it('shows output that is not printable text as hexdump -C lines, and the trace when there is one', () => {
    const rendered = renderCorpusBaseline('', '/c/p.bpf.c', '', [], outcome(new Uint8Array([0x61, 0x00, 0xff]), null, ['hi']));
    assert.ok(rendered.includes('==== output (3 bytes, hexdump -C) ====\n00000000  61 00 ff'), rendered);
    assert.ok(rendered.endsWith('==== trace (1 messages) ====\n"hi"\n'), rendered);
  });

  it('reads the header and the run errno back from a reference', () => {
    const reference = path.join(dir, 'r.baseline');
    fs.writeFileSync(reference, '// source: kernel\n// note: n\n\n==== diagnostics (0) ====\n\n==== run ====\nerror: EINVAL: x\n');
    assert.strictEqual(baselineHeader(reference), '// source: kernel\n// note: n\n');
    assert.strictEqual(baselineRunErrno(reference), 'EINVAL');
    fs.writeFileSync(reference, '==== run ====\nerror: none\n');
    assert.strictEqual(baselineRunErrno(reference), undefined);
    assert.strictEqual(baselineHeader(reference), '');
  });
});
