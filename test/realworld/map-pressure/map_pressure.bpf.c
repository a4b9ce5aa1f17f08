// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Map pressure in percent (used * 100 / max_entries) for every mp_* map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("iter/bpf_map")
int map_pressure(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__s64 used;
	__u64 pct;

	if (!map)
		return 0;
	if (map->name[0] != 'm' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	used = bpf_map_sum_elem_count(map);
	if (used < 0 || map->max_entries == 0)
		return 0;
	pct = (__u64)used * 100 / map->max_entries;
	BPF_SEQ_PRINTF(seq, "%-15s %3llu%% (%lld/%u)%s\n", map->name, pct, used, map->max_entries,
		       pct >= 75 ? " HIGH" : "");
	return 0;
}
