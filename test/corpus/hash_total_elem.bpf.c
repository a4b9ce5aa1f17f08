// Counts and sums a hash map; the summary line does not depend on bucket order.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

__u64 total = 0;
__u32 entries = 0;

SEC("iter/bpf_map_elem")
int total_counts(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	if (!val) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "entries=%u total=%llu\n", entries, total);
		return 0;
	}
	entries++;
	total += *val;
	return 0;
}
