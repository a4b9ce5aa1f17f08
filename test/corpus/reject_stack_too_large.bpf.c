// Must be rejected: a 600-byte local array exceeds the 512-byte stack.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int big_stack(struct bpf_iter__bpf_map *ctx)
{
	char buf[600];
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	__builtin_memset(buf, 0, sizeof(buf));
	bpf_seq_write(ctx->meta->seq, buf, sizeof(buf));
	return 0;
}
