/** compileFile end to end: scanner + preprocessor + bundled headers + parser + sema + program summary. */
import * as assert from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { compileFile } from '../../../server/src/lang/compile';
import { createMemoryHost } from '../../../server/src/service/host';

const PROGRAMS = path.resolve(__dirname, '../../../../test/fixtures/c/programs');

describe('compileFile with the bundled headers', () => {
  for (const name of fs.readdirSync(PROGRAMS).filter((n) => n.endsWith('.c')).sort()) {
    it(`compiles ${name} without diagnostics and summarises it`, () => {
      const text = fs.readFileSync(path.join(PROGRAMS, name), 'utf8');
      const file = `/virtual/${name}`;
      const compilation = compileFile(file, text, createMemoryHost({ [file]: text }));
      assert.deepStrictEqual(compilation.diagnostics.map((d) => `${compilation.files[d.file]?.path}:${d.pos} ${d.message}`), []);
      assert.ok(compilation.program.functions.some((f) => f.section?.startsWith('iter/')));
      assert.ok(compilation.program.license?.includes('GPL'));
      assert.strictEqual(compilation.program.maps.length, 1);
    });
  }

  it('reports errors in the user part at the user offsets, through macros like BPF_SEQ_PRINTF, and reuses the preamble', () => {
    const file = '/virtual/typo.bpf.c';
    const text = fs.readFileSync(path.join(PROGRAMS, 'iter_map_full_headers.bpf.c'), 'utf8').replace('map->name,', 'map->nmae,');
    const host = createMemoryHost({ [file]: text });
    compileFile(file, text, host);
    const compilation = compileFile(file, text, host);
    assert.strictEqual(compilation.preambleReused, true);
    const errors = compilation.diagnostics.filter((d) => d.category === 'error');
    assert.deepStrictEqual(errors.map((d) => d.message), ["no member named 'nmae' in 'struct bpf_map'"]);
    assert.strictEqual(text.slice(errors[0].pos, errors[0].end), 'nmae');
    // vmlinux.h's `#pragma clang attribute push(preserve_access_index)` reaches its records, not the user's.
    const tags = compilation.preamble!.model.fileScope.tags;
    const bpfMap = tags.get('bpf_map');
    assert.ok(bpfMap?.kind === 'record' && bpfMap.info.preserveAccessIndex === true);
    const userRecord = compileFile(file, text.replace('char LICENSE', 'struct mine { int a; };\nchar LICENSE'), host).model.fileScope.tags.get('mine');
    assert.ok(userRecord?.kind === 'record' && !userRecord.info.preserveAccessIndex);
    const reference = compilation.symbolAt(compilation.mainFile, text.indexOf('ctx->meta->seq_num') + 'ctx->meta->'.length);
    assert.strictEqual(reference?.field?.name, 'seq_num');
  });

  it('never throws on random edits of a real program through preprocessor, parser and sema, within a bound', () => {
    const file = '/virtual/fuzz.bpf.c';
    const base = fs.readFileSync(path.join(PROGRAMS, 'iter_map_full_headers.bpf.c'), 'utf8');
    const bodyStart = base.indexOf('struct {');
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(base.length - bodyStart), fc.nat(10), fc.constantFrom('', '(', ')', '{', '}', ';', '#define X(a) a##a\n', 'BPF_SEQ_PRINTF(', '->', '"', "'", '\\\n', '/*', 'SEC(', '__uint(', ',')), { maxLength: 4 }),
      (edits) => {
        let text = base;
        for (const [at, remove, insert] of edits) text = text.slice(0, bodyStart + at) + insert + text.slice(bodyStart + at + remove);
        const started = Date.now();
        const compilation = compileFile(file, text, createMemoryHost({ [file]: text }));
        assert.ok(Array.isArray(compilation.diagnostics));
        assert.ok(Date.now() - started < 5000);
      },
    ), { numRuns: 60, seed: 5 });
  });
});
