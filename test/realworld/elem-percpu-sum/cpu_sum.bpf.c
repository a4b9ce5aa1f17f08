// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Sums a per-CPU counter array over both CPUs of the target machine (2 possible CPUs). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_CPUS 2

__u64 grand_total;

SEC("iter/bpf_map_elem")
int cpu_sum(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *per_cpu = ctx->value;
	__u64 sum = 0;
	int cpu;

	if (!key || !per_cpu) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "total %llu\n", grand_total);
		return 0;
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		sum += per_cpu[cpu];
	grand_total += sum;
	if (sum)
		BPF_SEQ_PRINTF(ctx->meta->seq, "key %u: %llu + %llu = %llu\n", *key, per_cpu[0], per_cpu[1], sum);
	return 0;
}
