// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Configuration in .rodata, a scale factor in .data and counters in .bss. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 threshold = 50;
__u32 scale = 3;
static __u64 above, below;

SEC("iter/bpf_map")
int globals(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "above %llu below %llu (threshold %u x%u)\n", above, below, threshold, scale);
		return 0;
	}
	if (map->name[0] != 'g' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	if (map->max_entries * scale > threshold)
		above++;
	else
		below++;
	return 0;
}
