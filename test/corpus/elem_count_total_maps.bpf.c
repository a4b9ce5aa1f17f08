// SPDX-License-Identifier: GPL-2.0 OR MIT
// An iter/bpf_map program adding up bpf_map_sum_elem_count() over the lab_ maps (a preallocated hash, a
// BPF_F_NO_PREALLOC hash, an LRU hash and an array, whose count stays 0) and printing the map count and the total
// on the final call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline int lab_named(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

__u32 lab_maps = 0;
__s64 total_elems = 0;

SEC("iter/bpf_map")
int count_elems(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u lab maps, %lld elements in all\n", lab_maps, total_elems);
		return 0;
	}
	if (!lab_named(map->name))
		return 0;
	lab_maps++;
	total_elems += bpf_map_sum_elem_count(map);
	return 0;
}
