import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * K&R function definitions, `static int twice(x) int x; { ... }`: clang 14 compiles them for BPF (no diagnostic by
 * default; measured: the iterator below loads on 6.18 and prints each map id doubled). They were five parse errors.
 */
describe('parser: K&R function definitions', () => {
  const file = '/project/knr.bpf.c';
  const program = (helper: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    helper,
    'SEC("iter/bpf_map") int dump(struct bpf_iter__bpf_map *ctx) {',
    '  struct bpf_map *map = ctx->map;',
    '  if (!map) return 0;',
    '  BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", combine(map->id, 3));',
    '  return 0;',
    '}',
    '',
  ].join('\n');

  for (const [helper, expected] of [
    ['static int combine(a, b)\n  int a;\n  int b;\n{\n  return a * 10 + b;\n}', 13],
    // one declaration for both, in the other order; a name left undeclared is an int
    ['static int combine(a, b) int b, a; { return a * 10 + b; }', 13],
    ['static int combine(a, b) char b; { return a - b; }', -2],
  ] as Array<[string, number]>) {
    it(`${helper.replace(/\s+/g, ' ')}: no diagnostic, and a run computes it`, async () => {
      const text = program(helper);
      const service = serviceFor({ ...TARGET_FILES });
      assert.deepStrictEqual(service.validate(file, text).map((d) => d.message), []);
      const result = await service.run(file, text, { program: 'dump' });
      assert.ok(!result.error, JSON.stringify(result.error));
      assert.strictEqual((result.output ?? '').split('\n')[0], String(expected)); // the first map has id 1
    });
  }

  it('a declaration of a name the list does not have is clang\'s "parameter named \'c\' is missing", at the name', () => {
    const text = program('static int combine(a, b) int a; int c; { return a + b; }');
    const found = serviceFor({ ...TARGET_FILES }).validate(file, text);
    assert.deepStrictEqual(found.map((d) => [d.code, d.message]), [[`BPF${Diagnostics.KnrParameterMissing.code}`, "parameter named 'c' is missing"]]);
    const line = text.split('\n')[found[0].range.start.line];
    assert.strictEqual(line.slice(found[0].range.start.character, found[0].range.end.character), 'c');
  });
});
