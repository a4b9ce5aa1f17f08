// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

__u64 calls;

SEC("iter/bpf_map")
int count_capacity(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct totals *t = totals_slot();

	if (!t)
		return 0;
	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%llu ac maps, capacity %llu\n", t->maps, t->capacity);
		return 0;
	}
	if (map->name[0] == 'a' && map->name[1] == 'c' && map->name[2] == '_') {
		__sync_fetch_and_add(&calls, 1);
		account(t, map->max_entries);
	}
	return 0;
}
