// SPDX-License-Identifier: GPL-2.0 OR MIT
// A bpf_map_elem iterator over a per-CPU hash map with a 12-byte struct key and u32 values: it adds up each key
// field and every CPU's value (8-byte stride per CPU, CPUs counted by a .rodata global set before load) and prints
// the totals on the final call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct triple {
	int first;
	int second;
	int third;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 3);
	__type(key, struct triple);
	__type(value, __u32);
} by_triple SEC(".maps");

const volatile __u32 cpu_count = 0; /* written by the loader */

__u32 first_total = 0, second_total = 0, third_total = 0;
__u32 value_total = 0;

SEC("iter/bpf_map_elem")
int total_triples(struct bpf_iter__bpf_map_elem *ctx)
{
	struct triple *t = ctx->key;
	char *slot = ctx->value;
	__u32 cpu;

	if (!t || !slot) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "first=%u second=%u third=%u values=%u\n",
			       first_total, second_total, third_total, value_total);
		return 0;
	}
	first_total += t->first;
	second_total += t->second;
	third_total += t->third;
	for (cpu = 0; cpu < cpu_count; cpu++)
		value_total += *(__u32 *)(slot + cpu * 8);
	return 0;
}
