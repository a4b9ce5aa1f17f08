/**
 * Signed division clang cannot compile for BPF before -mcpu=v4 (BPF2059), against clang 14's recorded verdicts
 * (test/fixtures/signedDivision/clang14.json; test/oracle/clang-signed-division.test.ts measures them again).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { serviceFor } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';
import { SIGNED_DIVISION_TABLE, SignedDivisionTable, signedDivisionProgram } from './signedDivisionTable';

/**
 * Rows where the warning and clang disagree, with why: clang knows `x` is not negative after `v < 0 ? -v : v` (the
 * negation has no signed wrap in C: LLVM's abs), while the checker's ranges follow the verifier, where -INT_MIN wraps.
 */
const KNOWN_DIFFERENCES = new Map<string, string>([
  ['int x = v < 0 ? -v : v; r = x % 7;', 'abs() without signed wrap: clang proves it non-negative, the checker wraps -INT_MIN'],
]);

describe('checker: signed division clang 14 cannot compile for BPF (BPF2059)', () => {
  const file = '/project/div.bpf.c';
  const code = `BPF${Diagnostics.SignedDivisionNotCompiled.code}`;
  const table = JSON.parse(fs.readFileSync(SIGNED_DIVISION_TABLE, 'utf8')) as SignedDivisionTable;

  it(`warns where clang 14 refuses the build and nowhere else (${table.rows.length} recorded rows, ${table.clang})`, () => {
    const service = serviceFor({ ...TARGET_FILES });
    const disagreements: string[] = [];
    let refused = 0;
    for (const row of table.rows) {
      const found = service.validate(file, signedDivisionProgram(row.body));
      const warned = found.some((d) => d.code === code);
      if (row.refused) refused++;
      if (warned !== row.refused && !KNOWN_DIFFERENCES.has(row.body)) disagreements.push(`${row.body}: clang ${row.refused ? 'refuses' : 'compiles'}, we ${warned ? 'warn' : 'say nothing'}`);
      if (KNOWN_DIFFERENCES.has(row.body)) assert.ok(warned !== row.refused, `${row.body} now agrees: take it out of KNOWN_DIFFERENCES`);
      // never an error: clang may prove more than the checker sees
      assert.ok(!found.some((d) => d.code === code && d.severity === 1));
    }
    assert.deepStrictEqual(disagreements, []);
    assert.ok(refused >= 10 && refused < table.rows.length - 10, 'the table has rows of both kinds');
  });

  it('the warning names the operands\' ranges, at the division', () => {
    const text = signedDivisionProgram('if (v > 100) return 0; r = v / 3;');
    const d = serviceFor({ ...TARGET_FILES }).validate(file, text).find((x) => x.code === code);
    assert.ok(d, 'warned');
    assert.match(String(d!.message), /signed division .*dividend \[-2147483648, 100\], divisor 3/);
    const line = text.split('\n')[d!.range.start.line];
    assert.strictEqual(line.slice(d!.range.start.character, d!.range.end.character), 'v / 3');
  });

  it('a project built with -mcpu=v4 (clang 18 and later have signed division there): no warning', () => {
    const text = signedDivisionProgram('r = v / 3;');
    const files: Record<string, string> = { ...TARGET_FILES, '/proj/src/div.bpf.c': text, '/proj/compile_flags.txt': '-target\nbpf\n-mcpu=v4\n-O2\n' };
    for (const [name, content] of Object.entries(TARGET_FILES)) files[`/proj/src/${name.split('/').pop()}`] = content;
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    assert.ok(!service.validate('/proj/src/div.bpf.c', text).some((d) => d.code === code));
    files['/proj/compile_flags.txt'] = '-target\nbpf\n-mcpu=v3\n-O2\n';
    assert.ok(service.validate('/proj/src/div.bpf.c', text).some((d) => d.code === code));
  });
});
