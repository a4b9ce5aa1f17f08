// SPDX-License-Identifier: GPL-2.0 OR MIT
/* `bpftool map list`-style lines for the bt_* maps. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

static const char *type_name(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_ARRAY: return "array";
	case BPF_MAP_TYPE_PERCPU_HASH: return "percpu_hash";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "percpu_array";
	case BPF_MAP_TYPE_LRU_HASH: return "lru_hash";
	case BPF_MAP_TYPE_LPM_TRIE: return "lpm_trie";
	case BPF_MAP_TYPE_RINGBUF: return "ringbuf";
	default: return "unknown";
	}
}

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'b' || map->name[1] != 't' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(seq, "id %u: %s  name %s  flags 0x%x\n", map->id, type_name(map->map_type), map->name, map->map_flags);
	BPF_SEQ_PRINTF(seq, "\tkey %uB  value %uB  max_entries %u\n", map->key_size, map->value_size, map->max_entries);
	return 0;
}
