// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Prints nothing on the real kernel: bpf_seq_printf() refuses the "#" flag of "%#x" (bpf_bprintf_prepare
 * accepts only the 0, +, - and space flags), returns -EINVAL and writes nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int map_types(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	const char *kind;

	if (!map || map->name[0] != 'm' || map->name[1] != 't' || map->name[2] != '_')
		return 0;
	switch (map->map_type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		kind = "hashtab";
		break;
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		kind = "arraymap";
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		kind = "queue_stack";
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		kind = "lpm_trie";
		break;
	case BPF_MAP_TYPE_RINGBUF:
		kind = "ringbuf";
		break;
	default:
		kind = "other";
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%-10s %-12s flags %#x\n", map->name, kind, map->map_flags);
	return 0;
}
