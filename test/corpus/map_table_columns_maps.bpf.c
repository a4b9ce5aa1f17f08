// SPDX-License-Identifier: GPL-2.0 OR MIT
// An iter/bpf_map program printing a fixed-width table of the lab_ maps (%8u, %4u, %6u and %10lu columns), a title
// before the first one and a footer on the final call (ctx->map NULL). Only maps whose name starts with "lab_" are
// listed, so the maps of other processes never reach the output.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline int lab_named(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

__u32 rows = 0;

SEC("iter/bpf_map")
int map_table(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "(%u rows, 100%% of lab maps)\n", rows);
		return 0;
	}
	if (!lab_named(map->name))
		return 0;
	if (rows++ == 0)
		BPF_SEQ_PRINTF(seq, "     max  key  value      spare\n");
	BPF_SEQ_PRINTF(seq, "%8u %4u %6u %10lu\n", map->max_entries, map->key_size, map->value_size, 0LLU);
	return 0;
}
