// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: returns the number of matching maps; an iterator program may only return 0 or 1. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u32 matched;

SEC("iter/bpf_map")
int status(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] == 'r' && map->name[1] == 'v' && map->name[2] == '_')
		matched++;
	return matched > 1 ? 2 : 0;
}
