// Must be rejected: reading value[2] of an 8-byte value past what the attach map provides.
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
int past_value(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	if (!val)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\n", val[2]);
	return 0;
}
