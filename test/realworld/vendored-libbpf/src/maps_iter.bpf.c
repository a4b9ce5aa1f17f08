// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Built against the libbpf submodule's headers, included without the bpf/ prefix. */
#include "vmlinux.h"
#include "bpf_helpers.h"
#include "bpf_core_read.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int maps_iter(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'v' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u\n", map->name, BPF_CORE_READ(map, value_size));
	return 0;
}
