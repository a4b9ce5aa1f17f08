// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must load: ctx->map read through pointer arithmetic and a cast to a struct of the program's own, at offsets
// inside struct bpf_map (the verifier checks the offset against the struct it knows, not the C type).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct map_sizes {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
};

SEC("iter/bpf_map")
int cast_within(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct map_sizes *sizes;
	__u32 type;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	sizes = (struct map_sizes *)((char *)map + __builtin_offsetof(struct bpf_map, key_size));
	type = *(__u32 *)((char *)map + __builtin_offsetof(struct bpf_map, map_type));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u key=%u value=%u entries=%u\n", map->name, type,
		       sizes->key_size, sizes->value_size, sizes->max_entries);
	return 0;
}
