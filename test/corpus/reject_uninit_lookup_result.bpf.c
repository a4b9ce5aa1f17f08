// Must be rejected: bpf_map_lookup_elem may return NULL; dereferencing without a check.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter/bpf_map")
int lookup_nocheck(struct bpf_iter__bpf_map *ctx)
{
	__u32 key = 1;
	__u64 *v;

	if (!ctx->map)
		return 0;
	v = bpf_map_lookup_elem(&counts, &key);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\n", *v);
	return 0;
}
