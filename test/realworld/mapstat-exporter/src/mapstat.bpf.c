// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Map statistics exporter: one line per watched map with its fill level, read by the
 * user-space exporter from a pinned iterator. Watched maps are those named "ms_*". */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only on kernels that have the kfunc (6.6+); older ones print -1. */
extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;

static __always_inline bool watched(const char *name)
{
	return name[0] == 'm' && name[1] == 's' && name[2] == '_';
}

SEC("iter/bpf_map")
int export_map_stats(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__s64 used = -1;

	if (!map)
		return 0;
	if (!watched(map->name))
		return 0;

	if (bpf_map_sum_elem_count)
		used = bpf_map_sum_elem_count(map);

	BPF_SEQ_PRINTF(seq, "bpf_map_entries{name=\"%s\",type=\"%u\"} %lld\n",
		       map->name, map->map_type, used);
	BPF_SEQ_PRINTF(seq, "bpf_map_max_entries{name=\"%s\"} %u\n", map->name, map->max_entries);
	return 0;
}
