// Per-CPU values arrive as num_possible_cpus() slots of round_up(value_size, 8) bytes; the loop is bounded by a .rodata constant.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

const volatile __u32 num_cpus = 1;

SEC("iter/bpf_map_elem")
int sum_pcpu(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	void *pptr = ctx->value;
	__u64 total = 0;

	if (!key || !pptr)
		return 0;
	for (__u32 i = 0; i < num_cpus && i < 8; i++)
		total += *(__u64 *)(pptr + i * 8);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\n", *key, total);
	return 0;
}
