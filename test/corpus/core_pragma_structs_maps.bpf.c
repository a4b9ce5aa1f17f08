// CO-RE without vmlinux.h: the program declares the few kernel structs it reads, with fewer fields, in another
// order and a wider max_entries, under #pragma clang attribute push(preserve_access_index). libbpf relocates
// every access by field name against the kernel's BTF, so the kernel's offsets are read, not these.
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
};
typedef struct {
	s64 counter;
} atomic64_t;
struct bpf_map {
	char name[16];
	u64 max_entries;	/* u32 in the kernel: read as 4 bytes, zero-extended */
	u32 key_size;
	atomic64_t usercnt;
	u32 value_size;
};
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};
#pragma clang attribute pop

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int user_structs(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	/* Only maps whose name starts with "core_" are shown, so other processes' maps never reach the output. */
	if (map->name[0] != 'c' || map->name[1] != 'o' || map->name[2] != 'r' || map->name[3] != 'e' || map->name[4] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s max_entries=%llu key=%u value=%u usercnt=%lld\n", map->name,
		       map->max_entries, map->key_size, map->value_size, map->usercnt.counter);
	return 0;
}
