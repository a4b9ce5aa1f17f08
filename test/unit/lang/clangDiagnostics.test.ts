/**
 * Our errors against clang's, word for word and at clang's line and column, on the small C files of
 * test/fixtures/c/located (one mistake each) and test/fixtures/c/broken. What clang said is recorded in
 * test/fixtures/c/clang-errors.json (scripts/record-clang-diagnostics.js; test/oracle/clang-diagnostics.test.ts
 * checks the recording against the clang of the machine), so this runs anywhere.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { compileTokens } from '../../../server/src/lang/compile';
import { computeLineStarts } from '../../../server/src/lang/sourceFile';
import { lex } from './parser-lexer.test';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/c');

/**
 * Files where we still say something else than clang, and why. The test fails when this list is not exactly the
 * files that disagree: a fix must take its file off the list.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {
  'broken/missing_brace.c': 'clang reads the next function as nested ("function definition is not allowed here") and reports the brace at the end of the file; we end the block before the next function',
  'broken/no_member_anon.c': 'no typo correction ("; did you mean \'seq_num\'?")',
  'broken/static_assert_fail.c': "clang 14 prints the condition's text (\"static_assert failed due to requirement '...'\")",
  'broken/typedef_shadowed_then_used_as_type.c': 'recovery after the missing `;` differs: clang reports the next use of the name too',
  'broken/unknown_type.c': 'an unknown type name: clang reads `unknown_t x` as an undeclared identifier and goes on; we report a missing `;`',
};

export function ourErrors(text: string): string[] {
  const starts = computeLineStarts(text);
  const place = (pos: number): string => {
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1] <= pos) line++;
    return `${line + 1}:${pos - starts[line] + 1}`;
  };
  return compileTokens(lex(text)).diagnostics.filter((d) => d.category === 'error').map((d) => `${place(d.pos)} ${d.message}`);
}

describe('lang: errors in clang\'s words at clang\'s place (test/fixtures/c/clang-errors.json)', () => {
  const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'clang-errors.json'), 'utf8')) as { clang: string; files: Record<string, string[]> };

  it('covers every fixture file, with at least 60 located mistakes', () => {
    const onDisk = ['located', 'broken'].flatMap((folder) => fs.readdirSync(path.join(FIXTURES, folder)).filter((n) => n.endsWith('.c')).map((n) => `${folder}/${n}`)).sort();
    assert.deepStrictEqual(Object.keys(recorded.files).sort(), onDisk, 'run scripts/record-clang-diagnostics.js after adding a fixture');
    assert.ok(onDisk.filter((f) => f.startsWith('located/')).length >= 60);
  });

  it('says what clang says, where clang says it (but for the known disagreements)', () => {
    const disagreeing: string[] = [];
    const details: string[] = [];
    for (const [file, theirs] of Object.entries(recorded.files)) {
      const ours = ourErrors(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
      if (JSON.stringify(ours) === JSON.stringify(theirs)) continue;
      disagreeing.push(file);
      if (!(file in KNOWN_DISAGREEMENTS)) details.push(`${file}\n  clang: ${theirs.join(' | ')}\n  ours:  ${ours.join(' | ')}`);
    }
    assert.deepStrictEqual(details, [], 'new disagreements');
    assert.deepStrictEqual(disagreeing.sort(), Object.keys(KNOWN_DISAGREEMENTS).sort(), 'a known disagreement that agrees now: take it off the list');
  });
});
