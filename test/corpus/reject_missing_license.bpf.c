// Must be rejected: bpf_seq_printf is gpl_only: without a license section the load fails.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int no_license(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", map->id);
	return 0;
}
