// An empty hash map: the program runs once, with key and value NULL.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter/bpf_map_elem")
int only_end(struct bpf_iter__bpf_map_elem *ctx)
{
	if (!ctx->value)
		BPF_SEQ_PRINTF(ctx->meta->seq, "done after %llu\n", ctx->meta->seq_num);
	return 0;
}
