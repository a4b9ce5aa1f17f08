// Must be rejected: the map's key is 8 bytes, the key passed to bpf_map_lookup_elem is a 4-byte local.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u64);
} lab_wide SEC(".maps");

SEC("iter/bpf_map")
int lookup(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;
	__u64 *seen;

	if (!map)
		return 0;
	id = map->id;
	seen = bpf_map_lookup_elem(&lab_wide, &id);
	if (seen)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\n", *seen);
	return 0;
}
