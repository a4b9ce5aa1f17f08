// Must be rejected: the iterator context is read-only (invalid bpf_context access off=8 size=8).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int clear_map(struct bpf_iter__bpf_map *ctx)
{
	ctx->map = 0;
	return 0;
}
