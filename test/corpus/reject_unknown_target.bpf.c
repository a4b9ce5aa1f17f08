// Must be rejected: iter/bpf_maps is not an iterator target.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_maps")
int typo_target(struct bpf_iter__bpf_map *ctx)
{
	if (!ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", ctx->map->id);
	return 0;
}
