// Must be rejected: the program argument must be struct bpf_iter__bpf_map for iter/bpf_map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int wrong_ctx(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;

	if (!key)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", *key);
	return 0;
}
