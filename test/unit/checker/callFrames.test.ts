/**
 * Each call of a static function starts a frame of its own: a local that an earlier call at the same depth left
 * unassigned is not the next callee's parameter (check_func_call() gives the callee fresh registers).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

// source: two always-inline helpers called one after the other from an iterator, the first with a local it assigns
// on one path only, the pattern of socket-dumping gadgets that format each socket through a shared writer
const program = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static __always_inline unsigned int above_five(unsigned int x)
{
	unsigned int kept;
	if (x > 5) {
		kept = x;
		return kept;
	}
	return 0;
}

static __always_inline void print_pair(struct seq_file *seq, unsigned int first, unsigned int second)
{
	BPF_SEQ_PRINTF(seq, "%u %u\\n", first, second);
}

SEC("iter/bpf_map")
int pairs(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	unsigned int v = above_five(map->id);
	print_pair(ctx->meta->seq, v, 7);
	return 0;
}
`;

describe('checker: call frames', () => {
  it('a parameter of the second callee is assigned, whatever the first callee left unassigned in the same frame slot', () => {
    const file = '/call-frames/pairs.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: program }, createNodeHost()), defaultSettings());
    assert.deepStrictEqual(service.validate(file, program).map((d) => `${d.code} ${d.message}`), []);
  });
});
