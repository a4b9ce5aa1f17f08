// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Dumps the port table (an array map) one slot per line; attach with `map pinned .../ports`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map_elem")
int dump_ports(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val) {
		BPF_SEQ_PRINTF(seq, "-- end of %s --\n", ctx->map->name);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "slot  packets\n");
	if (*val)
		BPF_SEQ_PRINTF(seq, "%4u  %llu\n", *key, *val);
	return 0;
}
