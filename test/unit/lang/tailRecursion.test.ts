import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * Tail recursion becomes a loop before the verifier sees the object (clang -O2's TailCallElim): measured with clang 14
 * and Linux 6.18 (test/corpus/tail_recursion_maps: the kernel prints the same), and with llvm-objdump (no call left).
 */
describe('lower/tailRecursion: recursion clang makes a loop is no recursion for the verifier', () => {
  const file = '/project/recurse.bpf.c';
  const program = (helpers: string, value: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    helpers,
    'SEC("iter/bpf_map") int p(struct bpf_iter__bpf_map *ctx) {',
    '  struct bpf_map *map = ctx->map;',
    '  if (!map) return 0;',
    `  BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\\n", (__u64)(${value}));`,
    '  return 0;',
    '}',
    '',
  ].join('\n');
  const service = () => serviceFor({ ...TARGET_FILES });
  const tooDeep = `BPF${Diagnostics.CallTooDeep.code}`;
  const errors = (text: string) => service().validate(file, text).filter((d) => d.severity === 1);
  const run = async (text: string) => {
    const result = await service().run(file, text, { program: 'p' });
    assert.ok(!result.error, JSON.stringify(result.error));
    return (result.output ?? '').split('\n')[0];
  };

  const cases: Array<[string, string, string, string]> = [
    ['a tail call with an accumulator parameter', 'static __u64 fact(__u64 n, __u64 acc) { if (n <= 1) return acc; return fact(n - 1, acc * n); }', 'fact(10, 1)', '3628800'],
    ['LLVM\'s accumulator form, 1 + f(...)', 'static int digits(__u32 v) { if (v < 10) return 1; return 1 + digits(v / 10); }', 'digits(1234567)', '7'],
    ['the call on the left of the operator', 'static __u32 sum(__u32 i) { if (!i) return 0; return sum(i - 1) + i; }', 'sum(6)', '21'],
    ['parameters that read each other', 'static __u64 fib(__u32 a, __u32 b, __u32 k) { if (k == 0) return a; return fib(b, a + b, k - 1); }', 'fib(0, 1, 20)', '6765'],
    ['a void function whose last statement is the call', 'static void fill(__u64 *out, __u32 k) { if (k) { *out += k; fill(out, k - 1); } }', '({ __u64 s = 0; fill(&s, 4); s; })', '10'],
    ['a call followed by return; in a void function', 'static void count(__u64 *out, __u32 k) { if (!k) return; *out += 1; count(out, k - 1); return; }', '({ __u64 s = 0; count(&s, 6); s; })', '6'],
  ];
  for (const [what, helpers, value, expected] of cases) {
    it(`${what}: no BPF2024, and a run computes what the loop computes`, async () => {
      const text = program(helpers, value);
      const found = errors(text);
      assert.deepStrictEqual(found.map((d) => d.code), [], JSON.stringify(found));
      assert.strictEqual(await run(text), expected);
    });
  }

  it('a bound the verifier walks (the caller masks the count): no error, no warning on the loop', () => {
    const text = program('static __u32 sum(__u32 i, __u32 acc) { if (i == 0) return acc; return sum(i - 1, acc + i); }', 'sum(map->max_entries & 15, 0)');
    assert.deepStrictEqual(service().validate(file, text).map((d) => d.code), []);
  });

  it('arguments with side effects: computed in C\'s order before the parameters change (clang 14 + 6.18 print 16)', async () => {
    const text = program('static __u32 g(__u32 *p, __u32 k) { if (!k) return *p; return g(p, (*p += k, k - 1)); }', '({ __u32 s = 1; g(&s, 5); })');
    assert.deepStrictEqual(errors(text).map((d) => d.code), []);
    assert.strictEqual(await run(text), '16');
  });

  for (const [what, helpers, value] of [
    ['two recursive calls (not tail calls)', 'static __u32 fibr(__u32 n) { if (n < 2) return n; return fibr(n - 1) + fibr(n - 2); }', 'fibr(5)'],
    ['a call whose result is used after it', 'static __u32 depth(__u32 n) { __u32 r; if (!n) return 0; r = depth(n - 1); return r * 2 + 1; }', 'depth(3)'],
    ['different operators on two paths', 'static __u32 mix(__u32 n) { if (!n) return 1; if (n & 1) return 3 + mix(n - 1); return 2 * mix(n - 1); }', 'mix(3)'],
    ['a function with a stack object (a call may see its frame)', 'static __u32 arr(__u32 n) { char b[8] = {}; b[n & 7] = 1; if (!n) return b[0]; return arr(n - 1); }', 'arr(3)'],
  ]) {
    it(`${what}: still recursion, BPF2024`, () => {
      const found = errors(program(helpers, value));
      assert.ok(found.some((d) => d.code === tooDeep), JSON.stringify(found));
    });
  }
});
