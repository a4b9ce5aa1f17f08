// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Keeps one stats record per map type in its own hash map, written with compound literals. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct type_stats {
	__u32 maps;
	__u32 largest;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct type_stats);
} cl_types SEC(".maps");

SEC("iter/bpf_map")
int per_type(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct type_stats *s;
	__u32 type;

	if (!map) {
		type = BPF_MAP_TYPE_HASH;
		s = bpf_map_lookup_elem(&cl_types, &type);
		if (s)
			BPF_SEQ_PRINTF(ctx->meta->seq, "hash: %u maps, largest %u\n", s->maps, s->largest);
		type = BPF_MAP_TYPE_ARRAY;
		s = bpf_map_lookup_elem(&cl_types, &type);
		if (s)
			BPF_SEQ_PRINTF(ctx->meta->seq, "array: %u maps, largest %u\n", s->maps, s->largest);
		return 0;
	}
	if (map->name[0] != 'c' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	type = map->map_type;
	s = bpf_map_lookup_elem(&cl_types, &type);
	if (!s) {
		bpf_map_update_elem(&cl_types, &type, &(struct type_stats){ .maps = 1, .largest = map->max_entries }, BPF_NOEXIST);
		return 0;
	}
	s->maps++;
	if (map->max_entries > s->largest)
		s->largest = map->max_entries;
	return 0;
}
