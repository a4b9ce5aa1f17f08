// bpf_seq_write copies raw key bytes into the seq buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

SEC("iter/bpf_map_elem")
int raw_keys(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	char nl = '\n';

	if (!key)
		return 0;
	bpf_seq_write(ctx->meta->seq, key, sizeof(*key));
	bpf_seq_write(ctx->meta->seq, &nl, 1);
	return 0;
}
