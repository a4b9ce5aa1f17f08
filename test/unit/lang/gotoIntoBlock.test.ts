import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * A goto into another block: where the code after the label leaves the function (its last statement a `return`),
 * the jump runs a copy of it (test/corpus/goto_into_block_maps: the kernel prints the same); any other such jump stays
 * the warning BPF1390.
 */
describe('lower: a goto into another block', () => {
  const file = '/project/goto.bpf.c';
  const program = (body: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    '__u64 hits;',
    'SEC("iter/bpf_map") int p(struct bpf_iter__bpf_map *ctx) {',
    '  struct bpf_map *map = ctx->map;',
    '  __u32 n;',
    '  if (!map) return 0;',
    '  n = map->max_entries;',
    body,
    '  BPF_SEQ_PRINTF(ctx->meta->seq, "plain %u\\n", n);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
  const service = () => serviceFor({ ...TARGET_FILES });
  const notSimulated = `BPF${Diagnostics.UnsupportedConstruct.code}`;

  it('into an error path that returns: no warning, and the run takes the jump', async () => {
    const text = program([
      '  if (n > 0) { if (n < 1000000) { hits += 5; goto bail; } }',
      '  if (n == 12345) {',
      'bail:',
      '    hits++;',
      '    BPF_SEQ_PRINTF(ctx->meta->seq, "bail %llu\\n", hits);',
      '    return 0;',
      '  }',
    ].join('\n'));
    assert.deepStrictEqual(service().validate(file, text).map((d) => d.code), []);
    const result = await service().run(file, text, { program: 'p' });
    assert.ok(!result.error, JSON.stringify(result.error));
    assert.match(result.output ?? '', /^bail 6\n/);
  });

  for (const [what, body] of [
    ['the code after the label falls out of its block', '  if (n > 5) goto mid;\n  if (n == 7) {\nmid:\n    hits++;\n  }'],
    ['another label after it', '  if (n > 5) goto mid;\n  if (n == 7) {\nmid:\n    hits++;\nother:\n    hits++;\n    return 0;\n  }'],
    ['a local of the label\'s block declared before the label', '  if (n > 5) goto mid;\n  if (n == 7) {\n    __u64 local = n * 2;\nmid:\n    hits += local;\n    return 0;\n  }'],
    ['a break of a loop outside it', '  for (int i = 0; i < 3; i++) {\n    if (n > 5) goto mid;\n    if (n == 7) {\nmid:\n      if (hits++ > 2) break;\n      return 0;\n    }\n  }'],
  ]) {
    it(`${what}: still BPF1390`, () => {
      const found = service().validate(file, program(body));
      assert.ok(found.some((d) => d.code === notSimulated && /goto into another block/.test(String(d.message))), JSON.stringify(found));
    });
  }
});
