// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Garbage-collector scan report in the kernel's goto style. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u32 scanned, skipped_small;

SEC("iter/bpf_map")
int gc_scan(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	int ret = 0;

	if (!map)
		goto summary;
	if (map->name[0] != 'g' || map->name[1] != 'c' || map->name[2] != '_')
		goto out;
	if (map->max_entries < 16) {
		skipped_small++;
		goto out;
	}
	scanned++;
	BPF_SEQ_PRINTF(seq, "scan %s\n", map->name);
	goto out;

summary:
	BPF_SEQ_PRINTF(seq, "scanned %u, skipped %u small\n", scanned, skipped_small);
out:
	return ret;
}
