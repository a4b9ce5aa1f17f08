// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: a slot chosen by `% 3` indexes a global array. clang computes the remainder by a constant that
// is no power of two with a division, a multiplication and a subtraction, and the verifier does not track a
// division's result ("math between map_value pointer and register with unbounded min value is not allowed").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __u64 slots[4];

SEC("iter/bpf_map")
int rem_slot(struct bpf_iter__bpf_map *ctx)
{
	__u64 slot = ctx->meta->seq_num % 3;

	if (!ctx->map)
		return 0;
	slots[slot] += 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %llu\n", slot, slots[slot]);
	return 0;
}
