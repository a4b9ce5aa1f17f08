// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: "normalises" the key in place; the key buffer of a map element iterator is read-only. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map_elem")
int rekey(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val)
		return 0;
	*key &= 0xff;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\n", *key, *val);
	return 0;
}
