import * as assert from 'assert';
import * as fs from 'fs';
import * as v8 from 'v8';
import * as vm from 'vm';
import { DocumentAnalyzer, Analysis, AnalysisSettings } from '../../../server/src/service/analysis';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';
import { corpusEntries } from '../../integration/corpusBaseline';
import { Diagnostics } from '../../../server/src/lang/diagnostics';

/**
 * Incremental analysis (issue 18 point 2) gives what a from-scratch analysis gives: every corpus program goes through
 * a series of random edits (numbers changed, lines inserted, deleted and duplicated, blank lines that move what
 * follows, returns to the original text), each version analysed by one analyzer that keeps its last lowering and
 * checks, and by a fresh one. Their diagnostics, lowered IR and checks must be equal. `INCREMENTAL_SEED` and
 * `INCREMENTAL_EDITS` run other series.
 */

/** mulberry32: a small seeded generator, so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random edit of `text`, as typing makes them; undefined when the edit found nothing to change. */
function edit(text: string, original: string, next: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(next() * n);
  // lines inside functions (indented) are where typing happens most
  const inside = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s+\S/.test(l) && !/^\s*#/.test(l));
  const at = inside.length ? inside[pick(inside.length)].i : pick(lines.length);
  switch (pick(7)) {
    case 0: { // a number changes
      const numbers = [...lines[at].matchAll(/\b\d+\b/g)];
      if (!numbers.length) return `${text}\n`;
      const m = numbers[pick(numbers.length)];
      lines[at] = lines[at].slice(0, m.index) + String(pick(3) === 0 ? pick(100000) : pick(10)) + lines[at].slice(m.index! + m[0].length);
      break;
    }
    case 1: lines.splice(at, 0, ''); break; // a blank line moves what follows
    case 2: lines.splice(at, 1); break; // a line deleted (syntax errors included)
    case 3: lines.splice(at, 0, lines[at]); break; // a line duplicated
    case 4: lines[at] = lines[at].replace(/\S.*$/, (s) => `${s}  `); break; // trailing spaces: same tokens, no move
    case 5: lines.splice(pick(lines.length), 0, 'static int unused_global_for_edit;'); break; // a declaration outside bodies
    default: return original; // back to the original: the first version's lowering no longer applies
  }
  return lines.join('\n');
}

/** What an analysis says, comparable with deepStrictEqual. */
function outcome(a: Analysis) {
  return {
    diagnostics: a.diagnostics,
    ir: a.lowered.program,
    programs: a.programs.map((p) => ({ name: p.name, reachable: p.reachableFunctions, usedMaps: [...p.usedMaps], check: p.check })),
  };
}

describe('service: incremental analysis equals analysis from scratch (random edits over the corpus)', function () {
  this.timeout(600_000);
  const seed = Number(process.env.INCREMENTAL_SEED ?? 18);
  const editsPerProgram = Number(process.env.INCREMENTAL_EDITS ?? 3);
  const settings: AnalysisSettings = { includePaths: [], defines: {}, cpus: 4 };

  it(`seed ${seed}, ${editsPerProgram} edits per program: equal diagnostics, IR and checks; functions and programs reused`, () => {
    const host = createNodeHost();
    const incremental = new DocumentAnalyzer(host);
    const next = random(seed);
    let versions = 0;
    for (const entry of corpusEntries()) {
      const original = fs.readFileSync(entry.file, 'utf8');
      let text = original;
      for (let i = 0; i <= editsPerProgram; i++) {
        if (i > 0) text = edit(text, original, next);
        const fromScratch = new DocumentAnalyzer(host).analyze(entry.file, text, settings);
        const reused = incremental.analyze(entry.file, text, settings);
        assert.deepStrictEqual(outcome(reused), outcome(fromScratch), `${entry.name}, edit ${i} (seed ${seed}):\n${text}`);
        versions++;
      }
    }
    console.log(`      (${versions} versions: ${incremental.reuse.functions} functions and ${incremental.reuse.programs} programs reused)`);
    // the comparison means something only if the reuse happened
    assert.ok(incremental.reuse.functions > versions / 8, `${incremental.reuse.functions} functions reused over ${versions} versions`);
    assert.ok(incremental.reuse.programs > versions / 40, `${incremental.reuse.programs} programs reused over ${versions} versions`);
  });

  it('a write added in one function unfolds the pointer loads of another (clang folds loads of a static that nothing writes)', () => {
    const file = '/virtual/fold.bpf.c';
    const source = (write: string) => [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'char LICENSE[] SEC("license") = "GPL";',
      'static const char *kinds[] = { "hash", "array" };',
      'SEC("iter/bpf_map") int first(struct bpf_iter__bpf_map *ctx) { if (ctx->map) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", kinds[1]); return 0; }',
      `SEC("iter/bpf_map") int second(struct bpf_iter__bpf_map *ctx) { ${write} return 0; }`,
      '',
    ].join('\n');
    const files: Record<string, string> = {};
    const host = createMemoryHost(files, createNodeHost());
    const incremental = new DocumentAnalyzer(host);
    const foldsInFirst = (a: Analysis): boolean => JSON.stringify(a.lowered.program.functions[0].body, (_key, value) => (typeof value === 'bigint' ? String(value) : value)).includes('"kind":"string"');
    for (const write of ['', 'kinds[0] = "x";', '']) {
      const text = source(write);
      files[file] = text;
      const reused = incremental.analyze(file, text, settings);
      const fromScratch = new DocumentAnalyzer(host).analyze(file, text, settings);
      assert.deepStrictEqual(outcome(reused), outcome(fromScratch), write);
      // folded to the string's address while nothing writes kinds; a load of the unrelocated slot once `second` does
      assert.strictEqual(foldsInFirst(reused), write === '', write);
    }
  });

  it('an edit inside one program re-checks that program only; one in a function both call re-checks both', () => {
    const file = '/virtual/two-programs.bpf.c';
    const source = (first: number, shared: number) => [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'char LICENSE[] SEC("license") = "GPL";',
      `static __noinline int shared(int x) { return x + ${shared}; }`,
      `SEC("iter/bpf_map") int first(struct bpf_iter__bpf_map *ctx) { struct bpf_map *map = ctx->map; if (!map) return 0; return shared(map->id + ${first}); }`,
      // (no NULL check: its error is one place that moves when `second` moves)
      'SEC("iter/bpf_map") int second(struct bpf_iter__bpf_map *ctx) { struct bpf_map *map = ctx->map; return shared(map->id); }',
      '',
    ].join('\n');
    const files: Record<string, string> = {};
    const analyzer = new DocumentAnalyzer(createMemoryHost(files, createNodeHost()));
    const analyze = (text: string) => { files[file] = text; return analyzer.analyze(file, text, settings); };
    analyze(source(1, 1));
    const before = { ...analyzer.reuse };
    analyze(source(2, 1));
    // `first` changed (same length: nothing moves); `second` and `shared` are taken as they were
    assert.deepStrictEqual({ functions: analyzer.reuse.functions - before.functions, programs: analyzer.reuse.programs - before.programs }, { functions: 2, programs: 1 });
    const middle = { ...analyzer.reuse };
    analyze(source(2, 3));
    // `shared` changed: both programs call it, both are checked again; the programs' own bodies are not lowered again
    assert.deepStrictEqual({ functions: analyzer.reuse.functions - middle.functions, programs: analyzer.reuse.programs - middle.programs }, { functions: 2, programs: 0 });
    const late = { ...analyzer.reuse };
    // typing in `first` makes the text longer: `second` moves; its lowering and check are taken, moved with it
    const longer = analyze(source(20000, 3));
    assert.deepStrictEqual({ functions: analyzer.reuse.functions - late.functions, programs: analyzer.reuse.programs - late.programs }, { functions: 2, programs: 1 });
    const fresh = new DocumentAnalyzer(createMemoryHost(files, createNodeHost())).analyze(file, longer.text, settings);
    assert.deepStrictEqual(outcome(longer), outcome(fresh));
    const nullCheck = longer.diagnostics.find((d) => d.code === Diagnostics.NullDereference.code);
    assert.strictEqual(nullCheck && longer.text.slice(nullCheck.pos, nullCheck.end), 'map->id', 'the moved check points at map->id in the new text');
  });

  it('typing keeps no earlier version of a function that only moved (the relocations hold no reference to them)', async () => {
    const file = '/virtual/moving.bpf.c';
    const source = (digits: number) => [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'char LICENSE[] SEC("license") = "GPL";',
      `SEC("iter/bpf_map") int first(struct bpf_iter__bpf_map *ctx) { return ${'1'.repeat(digits)} & 0; }`,
      'SEC("iter/bpf_map") int second(struct bpf_iter__bpf_map *ctx) { struct bpf_map *map = ctx->map; return map ? map->id & 0 : 0; }',
      '',
    ].join('\n');
    const files: Record<string, string> = {};
    const analyzer = new DocumentAnalyzer(createMemoryHost(files, createNodeHost()));
    const analyze = (text: string) => { files[file] = text; return analyzer.analyze(file, text, settings); };
    const secondOf = (a: Analysis) => a.lowered.program.functions.find((f) => f.name === 'second')!;
    const firstVersion = new WeakRef(secondOf(analyze(source(1))));
    let last = secondOf(analyze(source(2)));
    for (let digits = 3; digits <= 8; digits++) {
      const next = secondOf(analyze(source(digits)));
      assert.notStrictEqual(next, last, 'moved, so relocated: a new object each time');
      last = next;
    }
    // a WeakRef keeps its target alive until the job that made it ends
    await new Promise<void>((resolve) => setImmediate(resolve));
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    assert.strictEqual(firstVersion.deref(), undefined, 'the first version of second() is garbage');
  });
});
