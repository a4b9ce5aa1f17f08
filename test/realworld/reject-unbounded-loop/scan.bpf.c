// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: walks every slot of the map's array by max_entries, a bound the verifier cannot limit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} ul_slots SEC(".maps");

SEC("iter/bpf_map")
int scan(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 sum = 0, *v;
	__u32 i;

	if (!map || map->name[0] != 'u' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	for (i = 0; i < map->max_entries; i++) {
		v = bpf_map_lookup_elem(&ul_slots, &i);
		if (v)
			sum += *v;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %llu\n", map->name, sum);
	return 0;
}
