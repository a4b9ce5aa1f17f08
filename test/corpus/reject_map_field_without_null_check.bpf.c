// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: an iter/bpf_map program reads a field of ctx->map before checking it for NULL, and the final
// call passes NULL (the map pointer is PTR_TO_BTF_ID_OR_NULL), so the verifier refuses the load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/bpf_map")
int sizes_unchecked(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 capacity = map->max_entries;

	BPF_SEQ_PRINTF(ctx->meta->seq, "capacity %u\n", capacity);
	return 0;
}
