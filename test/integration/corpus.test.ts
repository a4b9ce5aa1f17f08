import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';

/**
 * Every program of test/corpus runs through the real pipeline (validate, then run) and is compared with its
 * hand-derived NAME.expect.json: the exact list of error diagnostics (code and range), and for accepted programs
 * the exact seq output or errno.
 */
interface ExpectedDiagnostic { code: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }
interface Expectation {
  /** Error diagnostics only; warnings are advice and are not part of accept/reject. */
  errors: ExpectedDiagnostic[];
  /** For accepted programs: the exact text `cat` of the pinned iterator prints. */
  output?: string;
  /** For accepted programs whose link or read fails: the errno name. */
  errno?: string;
  /** For rejected programs: the errno bpf(BPF_PROG_LOAD) fails with (the kernel oracle test compares it too). */
  loadErrno?: string;
  map?: string;
  /** Where the expectation comes from: recorded or checked on a real kernel, or derived from the kernel source. */
  source?: string;
}

const corpusDir = path.resolve(__dirname, '../../../test/corpus');

export function corpusEntries(): { name: string; file: string; expect: Expectation }[] {
  return fs.readdirSync(corpusDir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.bpf.c'.length);
      const expect = JSON.parse(fs.readFileSync(path.join(corpusDir, `${name}.expect.json`), 'utf8')) as Expectation;
      return { name, file: path.join(corpusDir, f), expect };
    });
}

describe('corpus: every program against its hand-derived expectation', function () {
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const entries = corpusEntries();

  it('has at least 60 programs, at least 20 of them must-reject', () => {
    const rejected = entries.filter((e) => e.expect.errors.length > 0).length;
    assert.ok(entries.length >= 60, `${entries.length} programs`);
    assert.ok(rejected >= 20, `${rejected} must-reject programs`);
  });

  it('every expectation says where it comes from, and each iter/bpf_map_elem one is marked derived from the kernel source', () => {
    const unsourced = entries.filter((e) => !e.expect.source).map((e) => e.name);
    assert.deepStrictEqual(unsourced, []);
    // iter/bpf_map_elem loads are refused where the corpus was written: none of those expectations may claim a kernel run
    const elemClaimingKernel = entries.filter((e) => /SEC\("iter\/bpf_map_elem"\)/.test(fs.readFileSync(e.file, 'utf8')) && !e.expect.source!.startsWith('derived'))
      .map((e) => e.name);
    assert.deepStrictEqual(elemClaimingKernel, []);
  });

  for (const entry of entries) {
    it(`${entry.name}: ${entry.expect.errors.length ? 'rejected with ' + entry.expect.errors.map((e) => e.code).join(', ') : 'accepted, output as derived'}`, async function () {
      const text = fs.readFileSync(entry.file, 'utf8');
      const diagnostics = service.validate(entry.file, text, { map: entry.expect.map });
      const errors = diagnostics.filter((d) => d.severity === 1).map((d) => ({ code: String(d.code), range: d.range }));
      assert.deepStrictEqual(errors, entry.expect.errors,
        `diagnostics:\n${diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`).join('\n')}`);
      if (entry.expect.errors.length) {
        if (!entry.expect.loadErrno) return;
        const refused = await service.run(entry.file, text, { map: entry.expect.map });
        assert.strictEqual(refused.error?.errno, entry.expect.loadErrno, JSON.stringify(refused.error));
        return;
      }
      const result = await service.run(entry.file, text, { map: entry.expect.map });
      if (entry.expect.errno) {
        assert.strictEqual(result.error?.errno, entry.expect.errno, JSON.stringify(result.error));
      } else {
        assert.strictEqual(result.error, null, JSON.stringify(result.error));
      }
      assert.strictEqual(result.output, entry.expect.output ?? '');
    });
  }
});
