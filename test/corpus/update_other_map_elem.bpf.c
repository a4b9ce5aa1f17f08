// Writes the running total into another map from the program, then reads it back on the last call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

SEC("iter/bpf_map_elem")
int accumulate(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 zero = 0;
	__u64 *val = ctx->value;
	__u64 *tot = bpf_map_lookup_elem(&totals, &zero);

	if (!tot)
		return 0;
	if (!val) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "total %llu\n", *tot);
		return 0;
	}
	__u64 next = *tot + *val;
	bpf_map_update_elem(&totals, &zero, &next, BPF_ANY);
	return 0;
}
