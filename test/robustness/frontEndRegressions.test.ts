/** Inputs the fuzzer found that made the front end throw; each now gives diagnostics. */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../server/src/service/host';
import { DocumentAnalyzer } from '../../server/src/service/analysis';
import { applyEdit, assertSameAsFresh, fuzzService, MAIN_FILE, seedPrograms } from '../fuzz/editFuzzer';
import type { Edit } from '../fuzz/editFuzzer';

const FILE = '/bpf-iter-robust/regression.bpf.c';
function validate(text: string): string[] {
  const service = createLanguageService(createMemoryHost({ [FILE]: text }, createNodeHost()), defaultSettings());
  return service.validate(FILE, text).map((d) => String(d.message));
}

describe('robustness: front-end inputs found by the fuzzer', () => {
  it('2,277 nested subscripts `a[a[a[...` hit the bracket nesting limit instead of overflowing the stack', () => {
    const messages = validate(`int a; int f(void) { return a${'[a'.repeat(2277)}; }`);
    assert.ok(messages.includes('bracket nesting level exceeded maximum of 256'), JSON.stringify(messages));
  });

  it('an unclosed subscript of a non-pointer (`a[a[a;`) is a diagnostic, not a TypeError in lowering', () => {
    const messages = validate('int a; int f(void) { return a[a[a; }');
    assert.ok(messages.includes("expected ']'"), JSON.stringify(messages));
    assert.ok(messages.includes('subscripted value is not an array, pointer, or vector'), JSON.stringify(messages));
  });

  it('seed 19101: an unclosed character constant running over a 1 MB line is valued from its last bytes (it was quadratic)', () => {
    // the fuzzer's line was 10 MB (hours before the fix); at 1 MB the quadratic rate measured at 100 kB gives ~80 s
    const messages = validate(`int c = '${'y'.repeat(1024 * 1024)}\nint f(void) { return c; }\n`);
    assert.ok(messages.some((m) => /missing terminating ' character/.test(m)), JSON.stringify(messages.slice(0, 3)));
  });

  it('seed 25500: a K&R definition followed by `_Static_assert` at a line\'s start is reported, not read forever', () => {
    // _Static_assert starts a declaration but is no specifier: the loop over K&R parameter declarations read nothing
    // and recovery stops at a line's start
    const messages = validate('int f(x)\n_Static_assert(1, "a");\n{ return x; }\n');
    assert.ok(messages.includes('expected identifier'), JSON.stringify(messages));
  });

  it('valid subscripts still lower (both operand orders)', () => {
    assert.deepStrictEqual(validate('int a[4]; int f(void) { int *p = a; return 2[a] + p[1] + a[1]; }'), []);
  });

  describe('seed 24900: a cached header that expands a macro defined elsewhere is replayed only while the definition has not moved', () => {
    // each test in a folder of its own: the preamble cache is shared by the files of a folder
    it('the main file: an edit above its #define', () => {
      const file = '/bpf-iter-robust-24900-main/regression.bpf.c';
      // the header names a field `foo`, which the user's macro turns into `foo + 1`: the error inside the header is
      // reported at the macro's body, in the main file
      const files: Record<string, string> = {
        '/bpf-iter-robust-24900-main/fields.h': 'struct s { int foo; };\n',
        [file]: 'SEC("ab")\n#define foo foo + 1\n#include "fields.h"\n',
      };
      const host = createMemoryHost(files, createNodeHost());
      const places = (service: ReturnType<typeof createLanguageService>) => service.validate(file, files[file])
        .map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.message)}`);
      const service = createLanguageService(host, defaultSettings());
      places(service);
      files[file] = files[file].replace('ab', 'a\u{d7e26}\u{19f0a}b');
      const fresh = places(createLanguageService(host, defaultSettings()));
      assert.ok(fresh.includes("1:15 expected ';' at end of declaration list"), JSON.stringify(fresh));
      assert.deepStrictEqual(places(service), fresh);
    });

    it('a project header: a line added above the #define the next header expands', () => {
      const folder = '/bpf-iter-robust-24900-header';
      const file = `${folder}/regression.bpf.c`;
      const files: Record<string, string> = {
        [`${folder}/field.h`]: '#define FIELD foo + 1\n',
        [`${folder}/uses.h`]: 'struct s { int FIELD; };\n',
        [file]: '#include "field.h"\n#include "uses.h"\nint x;\n',
      };
      const settings = { includePaths: [], defines: {}, cpus: 4 };
      const analyzer = new DocumentAnalyzer(createMemoryHost(files, createNodeHost()));
      /** Where the front end's errors are: file and offset (inside field.h: after `foo`, from uses.h's expansion). */
      const places = () => { const a = analyzer.analyze(file, files[file], settings); return a.diagnostics.map((d) => `${a.pp.files[d.file]?.path}@${d.pos}`); };
      assert.deepStrictEqual(places(), [`${folder}/field.h@17`]);
      files[`${folder}/field.h`] = `// a comment\n${files[`${folder}/field.h`]}`;
      assert.deepStrictEqual(places(), [`${folder}/field.h@30`]);
    });
  });

  it('seed 25100: a cached header whose reading met the self-inclusion limit is replayed only from the same count', () => {
    // d.h and e.h include each other twice: the 257th self-inclusion stops, and which header it is in depends on the
    // count before; f.h includes itself until the depth limit, 15 self-inclusions
    const folder = '/bpf-iter-robust-25100';
    const file = `${folder}/regression.bpf.c`;
    const files: Record<string, string> = {
      [`${folder}/d.h`]: '#include "e.h"\n#include "e.h"\n',
      [`${folder}/e.h`]: '#include "d.h"\n#include "d.h"\n',
      [`${folder}/f.h`]: '#include "f.h"\n',
      [file]: 'int x;\n#include "d.h"\n',
    };
    const host = createMemoryHost(files, createNodeHost());
    const messages = (service: ReturnType<typeof createLanguageService>) => service.validate(file, files[file]).map((d) => `${d.range.start.line} ${String(d.message)}`);
    const service = createLanguageService(host, defaultSettings());
    messages(service);
    files[file] = 'int x;\n#include "f.h"\n#include "d.h"\n';
    const fresh = messages(createLanguageService(host, defaultSettings()));
    assert.ok(fresh.some((m) => m.startsWith("2 'e.h' includes itself")), JSON.stringify(fresh));
    assert.deepStrictEqual(messages(service), fresh);
  });

  it('seed 25400: the reference under the cursor is the innermost, whatever references other files hold', () => {
    // The fuzzer's sequence on its seed program 1: comment lines pasted into a BPF_SEQ_PRINTF call, vmlinux.h read
    // through its index below a SEC line, the line endings turned to CR and back. The analysis after the CR text had
    // bound part of vmlinux.h already, so the next one held 30 references fewer in it, and the binary search over
    // the references that share the macro's invocation range landed on another one: go to definition on `struct`
    // in the pasted text gave bpf_seq_printf's declaration where a fresh analysis gave ___fmt's.
    const sequence: Edit[] = [
      { kind: 'paste', at: 1422114176, from: 0, line: 549118586, count: 3 }, { kind: 'lineEndings', style: '\r' },
      { kind: 'insert', at: 0, text: 'SEC("iter/bpf_map_elem")\n' }, { kind: 'longLine', at: 0, length: 1 },
      { kind: 'paste', at: 160206335, from: 0, line: 991622732, count: 2 }, { kind: 'lineEndings', style: '\n' },
    ] as Edit[];
    const seeds = seedPrograms();
    const texts = [seeds[1]];
    for (const edit of sequence) texts.push(applyEdit(texts[texts.length - 1], edit, seeds));
    const { service, files } = fuzzService();
    for (const text of texts.slice(-2)) { files[MAIN_FILE] = text; service.validate(MAIN_FILE, text); }
    const at = { line: 36, character: 34 };
    assert.match(texts[texts.length - 1].split('\n')[at.line], /key is a struct/);
    assert.doesNotThrow(() => assertSameAsFresh(service, files, texts[texts.length - 1], at));
  });
});
