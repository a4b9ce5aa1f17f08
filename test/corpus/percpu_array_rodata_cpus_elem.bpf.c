// SPDX-License-Identifier: GPL-2.0 OR MIT
// A bpf_map_elem iterator over a per-CPU array of u32: each CPU's value sits in its own 8-byte slot
// (round_up(value_size, 8)), and the loop over CPUs is bounded by a .rodata global set before load (the verifier
// reads frozen .rodata as a constant). Totals of keys and of every CPU's value are printed on the final call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} per_cpu_counts SEC(".maps");

const volatile __u32 cpu_count = 0; /* written by the loader */

__u32 index_total = 0;
__u32 value_total = 0;

SEC("iter/bpf_map_elem")
int total_per_cpu(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *index = ctx->key;
	char *slot = ctx->value;
	__u32 cpu;

	if (!index || !slot) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "indexes %u, values %u\n", index_total, value_total);
		return 0;
	}
	index_total += *index;
	for (cpu = 0; cpu < cpu_count; cpu++)
		value_total += *(__u32 *)(slot + cpu * 8);
	return 0;
}
