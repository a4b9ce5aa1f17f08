/**
 * The findings of probing public iterator programs (test/fixtures/findings/, README there): small programs of our
 * own, each after the pattern of a public program that clang compiles and Linux 6.18 loads, on which the checker
 * once reported a false error or warning. A fixed finding must stay free of errors (and of the warning it had); an
 * open one still gets its false diagnostic, so fixing it fails this test until the finding moves to FIXED.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createNodeHost } from '../../../server/src/service/host';

const DIR = path.join(__dirname, '../../../../test/fixtures/findings');

/** Fixed: no error, and none of these warnings. */
const FIXED: Record<string, string[]> = {
  '01-task-stack-size-refine': [], '02-btf-type-id-builtin': [], '03-sk-storage-helpers-in-iter': [], '03b-sock-from-file-only': [],
  '04-sockopt-in-iter': [], '09-struct-return-cascades-to-error': [], '11-bpf-prog-macro-iter-ctx': [], '12-strtol-helpers': [],
  '13-per-cpu-ptr-helper': [], '14-cleanup-attribute-iter-destroy': ['BPF2016'], '16-helper-table-gaps': [], '17-current-task-btf': [],
  '19-socket-cookie-in-iter': [], '20-generic-kfuncs': [], '07-address-taken-pointer-null-check': [],
  '05-null-check-via-statement-expression': [], '06-rodata-loop-bound': [],
  '08-helper-writes-in-or-chain': ['BPF2014'], '18-counter-bound-with-pointer-exit': ['BPF2027'],
  '10-pointer-difference-loop-bound': ['BPF2027'], '15-core-read-bitfield-asm-cascade': ['BPF2016', 'BPF1390'],
  '21-type-macro-int-array-value': [], '22-sroa-large-unused-array': [], '23-iter-num-deref-bound': [],
  '24-snprintf-u64-casts': ['BPF2504'], '25-empty-asm-barrier': ['BPF1390'], '26-unlikely-null-check': [],
};

/** Open: the false diagnostic each still gets (see its file's header for the kernel fact that makes it false). */
const OPEN: Record<string, string> = {};

describe('checker: findings on public iterator programs (test/fixtures/findings)', () => {
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const diagnosticsOf = (name: string) => {
    const file = path.join(DIR, `${name}.bpf.c`);
    return service.validate(file, fs.readFileSync(file, 'utf8'));
  };

  it('every finding file is listed, fixed or open', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.bpf.c')).map((f) => f.replace(/\.bpf\.c$/, ''));
    assert.deepStrictEqual(files.filter((f) => !(f in FIXED) && !(f in OPEN)), []);
  });

  for (const [name, warnings] of Object.entries(FIXED)) {
    it(`fixed: ${name}`, () => {
      const found = diagnosticsOf(name);
      assert.deepStrictEqual(found.filter((d) => d.severity === 1).map((d) => `${d.code}: ${d.message}`), []);
      assert.deepStrictEqual(found.filter((d) => warnings.includes(String(d.code))).map((d) => `${d.code}: ${d.message}`), []);
    });
  }

  for (const [name, code] of Object.entries(OPEN)) {
    it(`open (still a false ${code}): ${name}`, () => {
      assert.ok(diagnosticsOf(name).some((d) => d.code === code), `${name} no longer gets ${code}: move it to FIXED`);
    });
  }
});
