// source: inline assembly that makes the verifier see a bound clang would optimize away, as tetragon's and cilium's programs write it (`asm volatile("%[idx] &= 0x7fff" : [idx] "+r"(idx))`), on a table index and on values printed; tetragon's CONFIG() read of its configuration through `%0 = name ll`.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

__u64 table[256];
const volatile __u32 scale_cfg = 5;

SEC("iter/bpf_map")
int masked(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 idx, low, scaled;
	int delta;
	void *cfg;

	if (!map)
		return 0;
	if (map->name[0] != 'a' || map->name[1] != 'm' || map->name[2] != '_')
		return 0;
	idx = map->max_entries * 37;
	asm volatile("%[idx] &= 0xff;\n" : [idx] "+r"(idx));
	table[idx] += map->max_entries;

	low = map->key_size;
	asm volatile("%0 += 3" : "+r"(low));
	scaled = map->value_size;
	asm volatile("%[v] <<= 4" : [v] "+r"(scaled));
	delta = map->max_entries;
	asm volatile("%[d] -= 100" : [d] "+r"(delta));
	asm volatile("%0 = scale_cfg ll" : "=r"(cfg));
	BPF_SEQ_PRINTF(seq, "%s idx=%u slot=%llu low=%u scaled=%u delta=%d cfg=%u\n", map->name, idx, table[idx], low, scaled, delta,
		       *(volatile const __u32 *)cfg);
	return 0;
}
