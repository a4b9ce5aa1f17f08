/**
 * BPF2068: a counted loop that tests a byte of a copied buffer before it compares the counter with the buffer's
 * unknown length (measured on Linux 6.18 with clang 14: refused at 32 and 47 passes, "BPF program is too large";
 * the comparison first loads; 16 passes are unrolled by clang and load). The kernel side is
 * test/oracle/kernel.taskWorld.test.ts, over the same programs (test/programs/taskWorld.ts).
 */
import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { cmdlineLoop } from '../../programs/taskWorld';

function errors(text: string): Array<{ code: string; line: number; message: string }> {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1)
    .map((d) => ({ code: String(d.code), line: d.range.start.line, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

describe('checker: a counted loop whose byte test comes before the bound comparison (BPF2068)', () => {
  const code = `BPF${Diagnostics.PathSplittingLoop.code}`;
  for (const passes of [32, 47]) {
    it(`${passes} passes, the byte tested first: refused at the if, with the verifier's words`, () => {
      const got = errors(cmdlineLoop(passes, 'byte_first'));
      assert.deepStrictEqual(got.map((d) => [d.code, d.line]), [[code, 25]], JSON.stringify(got));
      assert.ok(got[0].message.startsWith(`The verifier never finishes this loop of ${passes} passes: on each pass a byte read at \`i\` is tested before \`i\` is compared with \`len\``), got[0].message);
      assert.ok(got[0].message.includes('BPF program is too large'), got[0].message);
    });
  }
  it('the length compared first (any count), or 16 passes (unrolled by clang), or 24 (not judged): no error', () => {
    for (const text of [cmdlineLoop(47, 'bound_first'), cmdlineLoop(63, 'bound_first'), cmdlineLoop(16, 'byte_first'), cmdlineLoop(24, 'byte_first')]) {
      assert.deepStrictEqual(errors(text), []);
    }
  });
  it('a known length or a buffer not copied into splits nothing: no error', () => {
    const known = cmdlineLoop(47, 'byte_first').replace('len = t->mm->arg_end - t->mm->arg_start;', 'len = 40;');
    const zeros = cmdlineLoop(47, 'byte_first').replace(/\tif \(bpf_copy_from_user_task[^\n]*\n\t\treturn 0;\n/, '');
    assert.notStrictEqual(zeros, cmdlineLoop(47, 'byte_first'));
    assert.deepStrictEqual(errors(known), []);
    assert.deepStrictEqual(errors(zeros), []);
  });
});
