//go:build ignore

#include "common.h"
#include <bpf/bpf_helpers.h>

char __license[] SEC("license") = "Dual MIT/GPL";

__s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'g' || map->name[1] != 'b' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(seq, "%-16s %4u %10u %10lld\n", map->name, map->map_type, map->max_entries,
		       bpf_map_sum_elem_count(map));
	return 0;
}
