// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ebpf-map-fill metric: entries per exported map, keyed by map type, summed at the end. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} ex_by_type SEC(".maps");

SEC("iter/bpf_map")
int map_fill(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 type;
	__u64 *sum;
	__s64 n;

	if (!map) {
		type = BPF_MAP_TYPE_HASH;
		sum = bpf_map_lookup_elem(&ex_by_type, &type);
		BPF_SEQ_PRINTF(ctx->meta->seq, "ebpf_map_fill_sum{type=\"hash\"} %llu\n", sum ? *sum : 0);
		type = BPF_MAP_TYPE_LRU_HASH;
		sum = bpf_map_lookup_elem(&ex_by_type, &type);
		BPF_SEQ_PRINTF(ctx->meta->seq, "ebpf_map_fill_sum{type=\"lru_hash\"} %llu\n", sum ? *sum : 0);
		return 0;
	}
	if (map->name[0] != 'e' || map->name[1] != 'x' || map->name[2] != '_')
		return 0;
	if (!bpf_map_sum_elem_count)
		return 0;
	n = bpf_map_sum_elem_count(map);
	type = map->map_type;
	increment_map(&ex_by_type, &type, n);
	BPF_SEQ_PRINTF(ctx->meta->seq, "ebpf_map_fill{map=\"%s\"} %lld\n", map->name, n);
	return 0;
}
