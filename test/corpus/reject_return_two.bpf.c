// Must be rejected: iterator programs must return 0 or 1.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int bad_ret(struct bpf_iter__bpf_map *ctx)
{
	if (!ctx->map)
		return 0;
	return 2;
}
