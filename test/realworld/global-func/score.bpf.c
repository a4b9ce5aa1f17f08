// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A global (non-static) function: the verifier checks it once, on its own, with scalar arguments. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__noinline int bucket_of(__u32 max_entries)
{
	if (max_entries > 4096)
		return 3;
	if (max_entries > 256)
		return 2;
	if (max_entries > 16)
		return 1;
	return 0;
}

SEC("iter/bpf_map")
int buckets(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'g' || map->name[1] != 'f' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s bucket %d\n", map->name, bucket_of(map->max_entries));
	return 0;
}
