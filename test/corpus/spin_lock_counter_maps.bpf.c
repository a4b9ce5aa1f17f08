// A counter kept under a struct bpf_spin_lock in a map value, as statistics code shared with other programs guards
// its fields; an iterator takes the lock to read and bump them consistently. Output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct guarded {
	struct bpf_spin_lock lock;
	__u64 visits;
	__u64 key_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guarded);
} sl_stats SEC(".maps");

SEC("iter/bpf_map")
int locked(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct guarded *g;
	__u32 zero = 0, key_size;
	__u64 visits, bytes;

	if (!map || map->name[0] != 's' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	g = bpf_map_lookup_elem(&sl_stats, &zero);
	if (!g)
		return 0;
	key_size = map->key_size;
	bpf_spin_lock(&g->lock);
	g->visits += 1;
	g->key_bytes += key_size;
	visits = g->visits;
	bytes = g->key_bytes;
	bpf_spin_unlock(&g->lock);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s visits=%llu key_bytes=%llu\n", map->name, visits, bytes);
	return 0;
}
