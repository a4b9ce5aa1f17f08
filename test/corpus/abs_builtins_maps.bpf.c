// source: clang's absolute-value builtins in an iterator (nginx-style `#define nxt_abs(val) __builtin_abs(val)` helpers, distances between map sizes): clang 14 emits inline compares and negations, no call.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define distance(a, b) __builtin_abs((int)(a) - (int)(b))

SEC("iter/bpf_map")
int abs_distances(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char prefix[4] = {};

	if (!map)
		return 0;
	bpf_probe_read_kernel_str(prefix, sizeof(prefix), map->name);
	if (prefix[0] != 'a' || prefix[1] != 'b' || prefix[2] != '_')
		return 0;
	int key_distance = distance(map->key_size, 8);
	long entries_distance = __builtin_labs((long)map->max_entries - 500);
	long long wide = __builtin_llabs(-(long long)map->value_size * 1000000000LL);
	int negative = __builtin_abs(-(int)map->key_size);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d %ld %lld %d\n", map->name, key_distance, entries_distance, wide, negative);
	return 0;
}
