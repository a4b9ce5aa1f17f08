// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Weighted capacity of the bl_* maps: each map's max_entries is weighted by its type through a
 * small table walked with bpf_loop().
 * Rejected: clang 14 (no alu32 by default) zero-extends the u32 index again with two shifts before
 * the table access, and the verifier loses the bound checked just above. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_WEIGHTS 4

__u32 weights[NR_WEIGHTS] = { 1, 2, 3, 4 };
__u64 weighted_total;

struct walk_ctx {
	__u32 type;
	__u32 max_entries;
	__u64 score;
};

static long add_weight(__u32 index, void *data)
{
	struct walk_ctx *w = data;

	if (index >= NR_WEIGHTS)
		return 1;
	if (index + 1 == w->type)
		w->score += (__u64)weights[index] * w->max_entries;
	return 0;
}

SEC("iter/bpf_map")
int walk_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct walk_ctx w = {};
	long n;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "total %llu\n", weighted_total);
		return 0;
	}
	if (map->name[0] != 'b' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	w.type = map->map_type;
	w.max_entries = map->max_entries;
	n = bpf_loop(NR_WEIGHTS, add_weight, &w, 0);
	weighted_total += w.score;
	BPF_SEQ_PRINTF(seq, "%s type %u score %llu (%ld steps)\n", map->name, w.type, w.score, n);
	return 0;
}
