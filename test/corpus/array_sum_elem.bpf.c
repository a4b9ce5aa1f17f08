// Sums an array map; an array iterator visits every index, zero-filled ones included.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __u64 sum;
static __u32 n;

SEC("iter/bpf_map_elem")
int sum_vals(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	if (!val) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "n=%u sum=%llu\n", n, sum);
		return 0;
	}
	n++;
	sum += *val;
	return 0;
}
