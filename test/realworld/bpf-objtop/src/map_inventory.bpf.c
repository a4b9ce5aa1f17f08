// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Map inventory with element counts (the kfunc), a running total kept in a map this program owns,
 * and the busiest map found by walking that map with bpf_for_each_map_elem at the end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

struct map_seen {
	__u32 max_entries;
	__s64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct map_seen);
} seen SEC(".maps");

/* the tool's own maps are named "inv_*"; others on the machine are not ours to report */
const volatile char prefix[5] = "inv_";

struct busiest_ctx {
	__u32 id;
	__s64 count;
	__u32 visited;
};

static long pick_busiest(struct bpf_map *map, __u32 *key, struct map_seen *val, struct busiest_ctx *bc)
{
	bc->visited++;
	if (val->count > bc->count) {
		bc->count = val->count;
		bc->id = *key;
	}
	return 0;
}

SEC("iter/bpf_map")
int map_inventory(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct map_seen val = {};
	__u32 id;

	if (!map) {
		struct busiest_ctx bc = {};

		bpf_for_each_map_elem(&seen, pick_busiest, &bc, 0);
		BPF_SEQ_PRINTF(seq, "maps %u busiest id %u with %lld\n", bc.visited, bc.id, bc.count);
		return 0;
	}
	if (bpf_strncmp(map->name, 4, (const char *)prefix) != 0)
		return 0;
	id = map->id;
	val.max_entries = map->max_entries;
	val.count = bpf_map_sum_elem_count(map);
	bpf_map_update_elem(&seen, &id, &val, BPF_ANY);
	BPF_SEQ_PRINTF(seq, "id %u %-16s type %2u max %6u elems %lld\n", id, map->name, map->map_type,
		       map->max_entries, val.count);
	return 0;
}
