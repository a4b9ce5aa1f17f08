// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A table with a header on the first call and a footer on the last one. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u32 rows;

SEC("iter/bpf_map")
int table(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-15s %8s %8s\n", "NAME", "KEY", "VALUE");
	if (!map) {
		BPF_SEQ_PRINTF(seq, "(%u rows)\n", rows);
		return 0;
	}
	if (map->name[0] != 's' || map->name[1] != 'q' || map->name[2] != '_')
		return 0;
	rows++;
	BPF_SEQ_PRINTF(seq, "%-15s %8u %8u\n", map->name, map->key_size, map->value_size);
	return 0;
}
