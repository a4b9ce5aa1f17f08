// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Prints map facts through CO-RE so the same object runs on kernels with other layouts. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* struct bpf_map as kernels before 5.11 had it: memory accounting in a sub-struct. */
struct bpf_map_memory___old {
	__u32 pages;
} __attribute__((preserve_access_index));

struct bpf_map___old {
	struct bpf_map_memory___old memory;
} __attribute__((preserve_access_index));

SEC("iter/bpf_map")
int core_facts(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 max, ksz;
	int has_extra, has_old_memory;

	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'f' || map->name[2] != '_')
		return 0;
	max = BPF_CORE_READ(map, max_entries);
	ksz = BPF_CORE_READ(map, key_size);
	has_extra = bpf_core_field_exists(map->map_extra);
	has_old_memory = bpf_core_field_exists(((struct bpf_map___old *)map)->memory);
	BPF_SEQ_PRINTF(seq, "%s max=%u key=%u map_extra:%s memory:%s\n", map->name, max, ksz,
		       has_extra ? "yes" : "no", has_old_memory ? "yes" : "no");
	return 0;
}
