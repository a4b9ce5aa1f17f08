// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: calls a networking helper from an iterator (a tracing program). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int redirect_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'h' || map->name[1] != 'n' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %ld\n", map->name, bpf_redirect(map->max_entries, 0));
	return 0;
}
