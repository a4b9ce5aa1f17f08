// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: ctx->map is NULL on the last call; this reads map->name without checking. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (map->name[0] != 'n' || map->name[1] != 'n' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}
