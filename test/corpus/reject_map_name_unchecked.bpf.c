// Must be rejected: the address of ctx->map->name is ctx->map + 32, pointer arithmetic on a maybe-NULL pointer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int names(struct bpf_iter__bpf_map *ctx)
{
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", ctx->map->name);
	return 0;
}
