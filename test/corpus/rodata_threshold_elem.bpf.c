// Prints only values at or above a .rodata threshold that the scenario sets before load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

const volatile __u64 threshold = 0;

SEC("iter/bpf_map_elem")
int above(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val || *val < threshold)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", *key);
	return 0;
}
