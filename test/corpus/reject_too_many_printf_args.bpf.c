// Must be rejected: bpf_seq_printf takes at most 12 arguments (MAX_BPRINTF_VARARGS).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int many_args(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 i;

	if (!map)
		return 0;
	i = map->id;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %u %u %u %u %u %u %u %u %u %u %u\n",
		       i, i, i, i, i, i, i, i, i, i, i, i, i);
	return 0;
}
