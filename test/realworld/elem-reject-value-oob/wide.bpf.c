// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: written for a 24-byte value (packets, bytes, drops) but attached to a map whose values are
 * 8 bytes: the verifier accepts the program, attaching it to that map is refused. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct stats {
	__u64 packets;
	__u64 bytes;
	__u64 drops;
};

SEC("iter/bpf_map_elem")
int wide(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	struct stats *s = ctx->value;

	if (!key || !s)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu %llu %llu\n", *key, s->packets, s->bytes, s->drops);
	return 0;
}
