// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads: a remainder or quotient by a power of two is a mask or a shift, which the verifier bounds.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __u64 slots[4];

SEC("iter/bpf_map")
int pow2_slot(struct bpf_iter__bpf_map *ctx)
{
	__u32 slot = ctx->meta->seq_num % 4;
	__u32 group = (ctx->meta->seq_num & 0xff) / 64;

	if (!ctx->map)
		return 0;
	slots[slot] += 1;
	slots[group] += 10;
	/* the first map only: the machine's other maps stay out of the output */
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %llu\n", slot, group, slots[slot]);
	return 0;
}
