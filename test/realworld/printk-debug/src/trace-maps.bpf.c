// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Same output as always, plus a trace_pipe line per map while debugging. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int trace_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		bpf_printk("trace-maps: done");
		return 0;
	}
	if (map->name[0] != 'p' || map->name[1] != 'k' || map->name[2] != '_')
		return 0;
	bpf_printk("trace-maps: %s max %u", map->name, map->max_entries);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}
