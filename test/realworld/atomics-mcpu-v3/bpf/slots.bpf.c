// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Map slot accounting for a capacity dashboard, built with -mcpu=v3 (as the project's Makefile does): the 32-bit
 * atomics that return a value (fetch-and-add, fetch-and-or, compare-and-swap) need the v3 ALU32 atomics; with
 * clang's default CPU they do not compile.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u32 maps_seen;
__u32 seen_types;
__u32 first_id;

static __always_inline int has_prefix(const char *name)
{
	return name[0] == 'v' && name[1] == '3' && name[2] == '_';
}

SEC("iter/bpf_map")
int slots(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "%u maps, type mask %x\n", maps_seen, seen_types);
		return 0;
	}
	if (!has_prefix(map->name))
		return 0;
	__u32 index = __sync_fetch_and_add(&maps_seen, 1);
	__u32 before = __sync_fetch_and_or(&seen_types, 1U << (map->map_type & 31));
	__u32 was = __sync_val_compare_and_swap(&first_id, 0, map->id);
	BPF_SEQ_PRINTF(seq, "#%u %s: %u slots, types before %x, first %s\n", index, map->name, map->max_entries, before,
		       was == 0 ? "yes" : "no");
	return 0;
}
