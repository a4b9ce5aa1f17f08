// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: tries to "fix" a map's max_entries from the iterator; struct bpf_map is read-only here. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int clamp(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'c' || map->name[1] != 'w' || map->name[2] != '_')
		return 0;
	if (map->max_entries > 16)
		map->max_entries = 16;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u\n", map->name, map->max_entries);
	return 0;
}
