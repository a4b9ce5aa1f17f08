/**
 * Fuzzed editing (bounded variant; `npm run fuzz` is the long one): random edit sequences applied to the
 * example programs never make a language-service request throw, and every request returns within a bound.
 * Then the pathological inputs the issue names, each once, with the same checks; the two that take seconds and
 * a gigabyte (a macro bomb stopped at its limit, a file including itself around 7,800 nested calls) run in
 * `npm run fuzz` instead, which prints their times.
 */
import * as assert from 'assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import fc from 'fast-check';
import { seedPrograms, editArbitrary, applyEdit, fuzzService, exerciseService, assertSameAsFresh, FUZZ_DIR, PATHOLOGICAL_CASES, HOSTILE_HEADERS } from '../fuzz/editFuzzer';
import { createLanguageService, defaultSettings, type LanguageService } from '../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../server/src/service/host';

/** Generous: the machine is shared; a hang or a super-linear blow-up is what this catches. */
const REQUEST_BOUND_MS = 20_000;

describe('robustness: fuzzed editing of the example programs through the language service', function () {
  this.timeout(120_000);
  const seeds = seedPrograms();
  const { service, files } = fuzzService();

  it('random edit sequences (fragments, binary strings, lone surrogates, NUL, CR/CRLF, BOM, pastes, deep nesting, long lines, growth) never throw, every request returns within the bound, and the diagnostics equal a fresh analysis\'s', async () => {
    let edits = 0;
    await fc.assert(fc.asyncProperty(
      fc.nat(), fc.array(editArbitrary({ maxNestDepth: 10_000, maxLongLine: 40_000, maxGrowBytes: 1_000_000 }), { minLength: 1, maxLength: 6 }), fc.nat(),
      async (seedIndex, sequence, positionSeed) => {
        let text = seeds[seedIndex % seeds.length];
        for (const [i, edit] of sequence.entries()) {
          text = applyEdit(text, edit, seeds);
          edits++;
          // The last state gets every request (and a run); intermediate states are validated as typed.
          if (i === sequence.length - 1) await exerciseService(service, files, text, positionSeed, REQUEST_BOUND_MS, true, true);
          else { files[`${FUZZ_DIR}/edited.bpf.c`] = text; assert.ok(Array.isArray(service.validate(`${FUZZ_DIR}/edited.bpf.c`, text))); }
        }
      },
    ), { numRuns: 20, seed: 20261125 });
    assert.ok(edits >= 30);
  });

  it('the comparison with a fresh analysis fails when the service says something else than a fresh one would', () => {
    const text = `${seeds[0]}\nint broken = ;\n`;
    files[`${FUZZ_DIR}/edited.bpf.c`] = text;
    const stale = { ...service, validate: () => [] } as LanguageService;
    assert.throws(() => assertSameAsFresh(stale, files, text), /differ from a fresh analysis/);
    assert.doesNotThrow(() => assertSameAsFresh(service, files, text));
  });

  for (const [name, make] of PATHOLOGICAL_CASES.filter(([, , slow]) => !slow).map(([n, m]) => [n, m] as const)) {
    it(`${name}: every request returns without throwing within ${REQUEST_BOUND_MS / 1000} s`, async () => {
      await exerciseService(service, files, make(seeds[0]), 7, REQUEST_BOUND_MS, true);
    });
  }

  it('an #include cycle is reported naming the self-inclusion limit, and with it raised, the include depth limit', () => {
    const text = `#include "ping.h"\n${seeds[0]}`;
    const diagnostics = service.validate(`${FUZZ_DIR}/edited.bpf.c`, text);
    assert.ok(diagnostics.some((d) => /'ping\.h' is already included 16 times .*limits\.selfIncludeDepth/.test(String(d.message))), JSON.stringify(diagnostics.map((d) => d.message)));
    const raised = createLanguageService(createMemoryHost({ ...HOSTILE_HEADERS, [`${FUZZ_DIR}/edited.bpf.c`]: text }, createNodeHost()), { ...defaultSettings(), limits: { selfIncludeDepth: 1000 } });
    const deep = raised.validate(`${FUZZ_DIR}/edited.bpf.c`, text);
    assert.ok(deep.some((d) => /#include nested too deeply \(more than 200 levels\)/.test(String(d.message))), JSON.stringify(deep.map((d) => d.message)));
  });

  // Counterexamples `npm run fuzz` found (2026-12-02), kept as regressions.
  it('a 4.8 MB file that includes itself is stopped by the included-text bound, in seconds and bounded memory', () => {
    const text = `#include "edited.bpf.c"\n${seeds[0]}\n// ${'y'.repeat(4_800_000)}\\\nint spliced;\n`;
    files[`${FUZZ_DIR}/edited.bpf.c`] = text;
    const diagnostics = service.validate(`${FUZZ_DIR}/edited.bpf.c`, text);
    assert.ok(diagnostics.some((d) => d.code === 'BPF1013'), JSON.stringify(diagnostics.map((d) => d.message)));
    // What the service keeps after the request (its one-analysis cache and header caches), not garbage.
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    const heap = process.memoryUsage().heapUsed;
    assert.ok(heap < 1024 * 1024 * 1024, `heap ${heap} bytes after the validation (it was 2.3 GB before the bound)`);
  });

  it('7,000 unclosed F( make a type too deep to print whole: completion and hover still answer', async () => {
    const text = `in${'F('.repeat(7000)}t x;\n${seeds[0]}`;
    await exerciseService(service, files, text, 0, REQUEST_BOUND_MS, false);
    assert.ok(Array.isArray(service.complete(`${FUZZ_DIR}/edited.bpf.c`, text, { line: 0, character: 0 })));
  });

  it('3,000 broken declarations are published as 1,000 diagnostics and one that counts the rest', () => {
    const text = `${seeds[0]}\n${'int = ;\n'.repeat(3000)}`;
    const diagnostics = service.validate(`${FUZZ_DIR}/edited.bpf.c`, text);
    assert.strictEqual(diagnostics.length, 1001);
    assert.strictEqual(diagnostics[1000].code, 'BPF1397');
    assert.match(String(diagnostics[1000].message), /^at least \d+ more diagnostics not shown \(at most 1000 are reported\)$/);
  });

  it('hover inside an 8 MB string literal answers (npm run fuzz, seed 606: the string regex overflowed the stack)', () => {
    const text = `${seeds[0]}\nconst char *big = "${'a'.repeat(8 * 1024 * 1024)}";\n`;
    const line = text.split('\n').length - 2;
    files[`${FUZZ_DIR}/edited.bpf.c`] = text;
    assert.doesNotThrow(() => service.hover(`${FUZZ_DIR}/edited.bpf.c`, text, { line, character: 40 }));
  });

  it('global initializers past the object write nothing (npm run fuzz, seed 3000: an out-of-bounds Uint8Array.set)', () => {
    for (const decl of ['char c[2__proto__][6] = { "hello", "" };', 'int g[2] = { 1, 2, 3, 4 };', 'int h[2] = { [7] = 1 };', 'char s[2][3] = { "a", "b", "c" };']) {
      const text = `${seeds[0]}\n${decl}\n`;
      files[`${FUZZ_DIR}/edited.bpf.c`] = text;
      assert.doesNotThrow(() => service.validate(`${FUZZ_DIR}/edited.bpf.c`, text), decl);
    }
  });

  it('a switch on what is not an integer is reported and lowered without throwing (npm run fuzz, seed 2000: case values wrapped to no type)', () => {
    for (const body of ['switch (undeclared_thing) { case 0 ... 9: return 1; default: break; }', 'struct s v = {}; switch (v) { case 1: return 1; }']) {
      const text = `${seeds[0]}
int switching(void) { ${body} return 0; }
`;
      files[`${FUZZ_DIR}/edited.bpf.c`] = text;
      const errors = service.validate(`${FUZZ_DIR}/edited.bpf.c`, text).filter((d) => d.severity === 1).map((d) => String(d.message));
      assert.ok(errors.some((m) => /undeclared identifier 'undeclared_thing'|requires expression of integer type|incomplete|variable has/.test(m)), errors.join('\n'));
    }
  });
});
