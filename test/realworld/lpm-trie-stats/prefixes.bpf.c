// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Number of prefixes in each allow/deny list (LPM tries named lp_*). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("iter/bpf_map")
int prefixes(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->map_type != BPF_MAP_TYPE_LPM_TRIE)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s: %lld prefixes (key %u bytes)\n", map->name,
		       bpf_map_sum_elem_count(map), map->key_size);
	return 0;
}
