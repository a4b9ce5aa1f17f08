// Must be rejected: struct bpf_iter_meta is kernel memory; BTF pointers are read-only ("only read is supported").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int restart(struct bpf_iter__bpf_map *ctx)
{
	ctx->meta->seq_num = 0;
	return 0;
}
