// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Reports each counter and resets it, so the next read shows only new events. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct counter {
	__u64 events;
	__u64 drops;
};

SEC("iter/bpf_map_elem")
int drain(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	struct counter *c = ctx->value;

	if (!key || !c)
		return 0;
	if (c->events || c->drops)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u events=%llu drops=%llu\n", *key, c->events, c->drops);
	c->events = 0;
	c->drops = 0;
	return 0;
}
