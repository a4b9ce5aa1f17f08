// meta->seq_num only advances when next() finds an object, so the last (NULL) call sees the last element's seq_num.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

SEC("iter/bpf_map_elem")
int numbered(struct bpf_iter__bpf_map_elem *ctx)
{
	struct bpf_iter_meta *meta = ctx->meta;

	if (!ctx->value) {
		BPF_SEQ_PRINTF(meta->seq, "end seq_num=%llu\n", meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(meta->seq, "seq_num=%llu\n", meta->seq_num);
	return 0;
}
