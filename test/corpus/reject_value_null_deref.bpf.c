// Must be rejected: bpf_map_elem: value is NULL on the last call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter/bpf_map_elem")
int sum_counts(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;
	static __u64 sum;

	sum += *val;
	return 0;
}
