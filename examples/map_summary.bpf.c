// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * List every BPF map of the system, one line each,
 * plus each map's element count from the kfunc bpf_map_sum_elem_count().
 *
 *   clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -c map_summary.bpf.c -o map_summary.bpf.o
 *   bpftool iter pin map_summary.bpf.o /sys/fs/bpf/map_summary && cat /sys/fs/bpf/map_summary
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u64 seq_num = ctx->meta->seq_num;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "%llu maps\n", seq_num + 1);
		return 0;
	}

	if (seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%4s %-16s %5s %5s %8s %8s\n",
			       "id", "name", "key", "value", "max", "elems");

	BPF_SEQ_PRINTF(seq, "%4u %-16s %5u %5u %8u %8lld\n", map->id, map->name,
		       map->key_size, map->value_size, map->max_entries,
		       bpf_map_sum_elem_count(map));
	return 0;
}
