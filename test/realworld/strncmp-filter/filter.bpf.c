// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Filters maps by name prefix with bpf_strncmp() against a read-only string. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const char prefix[] = "sc_keep";

SEC("iter/bpf_map")
int by_prefix(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (bpf_strncmp(map->name, sizeof(prefix) - 1, prefix) != 0)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "kept %s\n", map->name);
	return 0;
}
