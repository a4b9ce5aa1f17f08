// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Built against the system's UAPI headers (linux/bpf.h for the map type numbers); the iterator's context
 * is declared here, as UAPI does not have it. Debian keeps asm/ under the multiarch directory. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};
struct bpf_map {
	enum bpf_map_type map_type;
	__u32 max_entries;
	char name[16];
};
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};
#pragma clang attribute pop

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int uapi_types(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'u' || map->name[1] != 'h' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %s\n", map->name,
		       map->map_type == BPF_MAP_TYPE_HASH ? "hash" :
		       map->map_type == BPF_MAP_TYPE_ARRAY ? "array" : "other");
	return 0;
}
