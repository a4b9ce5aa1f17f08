// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Streams key/value pairs as raw bytes for a user-space decoder. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map_elem")
int dump_kv(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u32 *val = ctx->value;

	if (!key || !val)
		return 0;
	bpf_seq_write(ctx->meta->seq, key, sizeof(*key));
	bpf_seq_write(ctx->meta->seq, val, sizeof(*val));
	return 0;
}
