/**
 * Accept/reject agreement with `clang -fsyntax-only -target bpf` on the corpus in test/fixtures/c/{valid,broken}.
 * The fixtures are self-contained (no #include) so the check isolates parser + semantic analysis.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compileTokens } from '../../server/src/lang/compile';
import { lex } from '../unit/lang/parser-lexer.test';

const CORPUS = path.resolve(__dirname, '../../../test/fixtures/c');

function corpus(): Array<{ file: string; expectValid: boolean }> {
  const files: Array<{ file: string; expectValid: boolean }> = [];
  for (const [directory, expectValid] of [['valid', true], ['broken', false]] as const) {
    for (const name of fs.readdirSync(path.join(CORPUS, directory)).sort()) {
      if (name.endsWith('.c')) files.push({ file: path.join(CORPUS, directory, name), expectValid });
    }
  }
  return files;
}

function ourVerdict(file: string): { accepted: boolean; first?: string } {
  const compilation = compileTokens(lex(fs.readFileSync(file, 'utf8')));
  const errors = compilation.diagnostics.filter((d) => d.category === 'error');
  return { accepted: errors.length === 0, first: errors[0]?.message };
}

describe('oracle: accept/reject agreement with clang -fsyntax-only -target bpf', function () {
  it('agrees with clang on every corpus file (>= 40 valid, >= 20 broken)', function () {
    try { execFileSync('clang', ['--version'], { stdio: 'ignore' }); } catch { console.log('      skipped: clang not installed'); this.skip(); }
    const files = corpus();
    assert.ok(files.filter((f) => f.expectValid).length >= 40 && files.filter((f) => !f.expectValid).length >= 20);
    const disagreements: string[] = [];
    for (const { file, expectValid } of files) {
      const clangAccepts = spawnSync('clang', ['-target', 'bpf', '-fsyntax-only', '-w', file]).status === 0;
      assert.strictEqual(clangAccepts, expectValid, `fixture ${path.basename(file)} is in the wrong directory`);
      const ours = ourVerdict(file);
      if (ours.accepted !== clangAccepts) disagreements.push(`${path.relative(CORPUS, file)}: clang ${clangAccepts ? 'accepts' : 'rejects'}, we ${ours.accepted ? 'accept' : `reject (${ours.first})`}`);
    }
    console.log(`      agreement with clang: ${files.length - disagreements.length}/${files.length}`);
    assert.deepStrictEqual(disagreements, []);
  });
});
