// One per-CPU hash entry; the value buffer holds one 8-byte slot per possible CPU.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pc SEC(".maps");

SEC("iter/bpf_map_elem")
int per_cpu(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *slots = ctx->value;

	if (!key || !slots)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "key %u: %llu %llu %llu %llu\n", *key, slots[0], slots[1], slots[2], slots[3]);
	return 0;
}
