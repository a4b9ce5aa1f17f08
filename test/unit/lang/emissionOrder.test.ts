import * as assert from 'assert';
import { compileFile } from '../../../server/src/lang/compile';
import { createMemoryHost } from '../../../server/src/service/host';
import { lowerProgram } from '../../../server/src/lang/lower';
import { dataSections } from '../../../server/src/lang/programFacts';

/**
 * clang's order of creating global variables is their order in the object (lower/emissionOrder.ts), measured with
 * clang 14 (`llvm-objdump -t`, `bpftool btf dump` of the .maps DATASEC) and on Linux 6.18 (the map ids libbpf's
 * creation gives, listed by an iter/bpf_map program).
 */
describe('lowering: globals in clang\'s order of emission', () => {
  const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } first_declared SEC(".maps");
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); };
struct inner inner1 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } outer SEC(".maps") = {
	.values = { [0] = &inner1 },
};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); } never_named SEC(".maps");
static __u64 calls;
static __u64 misses;
int big_data[4] = { 1, 2, 3, 4 };

static __always_inline void note(struct seq_file *seq)
{
	BPF_SEQ_PRINTF(seq, "misses %llu\\n", misses);
}

SEC("iter/bpf_map")
int walk(struct bpf_iter__bpf_map *ctx)
{
	__u32 zero = 0;

	if (!ctx->map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "calls %llu data %d\\n", calls, big_data[2]);
		note(ctx->meta->seq);
		return 0;
	}
	calls++;
	if (!bpf_map_lookup_elem(&first_declared, &zero))
		misses++;
	return 0;
}
`;
  const file = '/virtual/order.bpf.c';
  const compilation = compileFile(file, SOURCE, createMemoryHost({ [file]: SOURCE }));
  const lowered = lowerProgram(compilation, { mainFile: compilation.mainFile } as never);

  it('.maps: what an initializer names before it, then the definition, then the tentative ones as code names them, the unnamed last', () => {
    assert.deepStrictEqual(lowered.program.maps.map((m) => m.name), ['inner1', 'outer', 'first_declared', 'never_named']);
  });

  it('data sections in the order of their first variable: .data (a definition), .rodata (a format), .bss (a static the code names)', () => {
    assert.deepStrictEqual(dataSections(lowered.program, 'order').map((s) => s.name), ['.data', '.rodata', '.bss']);
  });

  it('offsets in .bss and .rodata: a static inline function\'s locals and the statics it names come after its caller\'s', () => {
    const at = (name: string) => lowered.program.globals.find((g) => g.name === name || g.name.endsWith(name));
    assert.deepStrictEqual([at('calls')?.offset, at('misses')?.offset], [0, 8]);
    const formats = lowered.program.globals.filter((g) => g.section === '.rodata').map((g) => [g.name, g.offset]);
    assert.strictEqual(formats.length, 2, JSON.stringify(formats));
    assert.ok((formats[0][1] as number) < (formats[1][1] as number) && String(formats[1][0]).includes('___fmt'));
  });
});
