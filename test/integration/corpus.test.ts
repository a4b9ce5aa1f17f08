import * as assert from 'assert';
import * as fs from 'fs';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { assertMatchesBaseline } from '../baseline';
import { CORPUS_SUITE, baselineHeader, corpusDir, corpusEntries, renderCorpusBaseline, sourceOf } from './corpusBaseline';

/**
 * Every program of test/corpus runs through the real pipeline (validate, then run) and what it says is compared
 * with its baseline NAME.baseline (test/integration/corpusBaseline.ts): every diagnostic with its source line and
 * range, the run's errno, the exact seq output. A difference writes test/baselines/local/corpus/NAME.baseline and
 * fails with the diff; `npm run baseline-accept` takes it after review.
 */
describe('corpus: every program against its baseline (diagnostics with their source lines, run errno, output)', function () {
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const entries = corpusEntries();
  const headers = new Map(entries.map((e) => [e.name, baselineHeader(e.baseline)]));
  // A program is rejected when its baseline lists an error; read from the references so the counts are what git holds.
  const rejectedInBaseline = (baseline: string) => /^\S+\(\d+,\d+\): error /m.test(fs.readFileSync(baseline, 'utf8'));

  it('has at least 60 programs, at least 20 of them must-reject, and no baseline without its program', () => {
    const withBaseline = entries.filter((e) => fs.existsSync(e.baseline));
    const rejected = withBaseline.filter((e) => rejectedInBaseline(e.baseline)).length;
    assert.ok(entries.length >= 60, `${entries.length} programs`);
    assert.ok(rejected >= 20, `${rejected} must-reject programs`);
    const programs = new Set(entries.map((e) => `${e.name}.baseline`));
    assert.deepStrictEqual(fs.readdirSync(corpusDir).filter((f) => f.endsWith('.baseline') && !programs.has(f)), []);
  });

  it('every baseline says where it comes from, and each iter/bpf_map_elem one is marked derived from the kernel source', () => {
    const unsourced = entries.filter((e) => !sourceOf(headers.get(e.name)!)).map((e) => e.name);
    assert.deepStrictEqual(unsourced, [], 'a `// source: ...` first line: checked on a real kernel, recorded, or derived from the kernel source');
    // iter/bpf_map_elem loads are refused where the corpus was written: none of those expectations may claim a kernel run
    const elemClaimingKernel = entries.filter((e) => /SEC\("iter\/bpf_map_elem"\)/.test(fs.readFileSync(e.file, 'utf8')) && !sourceOf(headers.get(e.name)!)!.startsWith('derived'))
      .map((e) => e.name);
    assert.deepStrictEqual(elemClaimingKernel, []);
  });

  for (const entry of entries) {
    it(`${entry.name}: diagnostics, run and output as its baseline says`, async function () {
      const text = fs.readFileSync(entry.file, 'utf8');
      const diagnostics = service.validate(entry.file, text);
      const run = await service.run(entry.file, text, {});
      assertMatchesBaseline(CORPUS_SUITE, entry.baseline, renderCorpusBaseline(headers.get(entry.name)!, entry.file, text, diagnostics, run));
    });
  }
});
