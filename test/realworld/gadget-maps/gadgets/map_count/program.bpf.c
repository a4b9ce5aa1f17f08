// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <gadget/macros.h>

GADGET_LICENSE;

__u32 gadget_maps;
__u64 gadget_capacity;

SEC("iter/bpf_map")
int ig_map_count(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "gadget maps: %u, capacity: %llu\n", gadget_maps, gadget_capacity);
		return 0;
	}
	if (!GADGET_OWNS(map))
		return 0;
	gadget_maps++;
	gadget_capacity += map->max_entries;
	return 0;
}
