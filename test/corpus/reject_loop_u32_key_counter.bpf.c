// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: the loop counter is a __u32 whose address is the lookup key. clang keeps it on the stack at
// fp-4 and reloads it after each call; the verifier keeps a spilled scalar only at an 8-byte aligned offset, so it
// reads back an unknown number each time and cannot see the loop end ("The sequence of 8193 jumps is too complex").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} lab_loop_slots SEC(".maps");

SEC("iter/bpf_map")
int sum_slots(struct bpf_iter__bpf_map *ctx)
{
	__u64 total = 0, *slot;
	__u32 idx;

	if (ctx->map)
		return 0;
	for (idx = 0; idx < 8; idx++) {
		slot = bpf_map_lookup_elem(&lab_loop_slots, &idx);
		if (slot)
			total += *slot;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "total %llu\n", total);
	return 0;
}
