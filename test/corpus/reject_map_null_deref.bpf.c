// Must be rejected: iter/bpf_map: ctx->map is NULL on the last call; reading map->id without a check is rejected.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int map_ids(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", map->id);
	return 0;
}
