// CO-RE without vmlinux.h, the attribute on each struct instead of a pragma, and a "flavor" of struct bpf_map:
// libbpf ignores the ___lab suffix and relocates bpf_map___lab's fields against the kernel's struct bpf_map.
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	u64 session_id;
	u64 seq_num;
} __attribute__((preserve_access_index));
struct bpf_map;
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));
struct bpf_map___lab {
	u32 id;
	u32 map_flags;
	char name[16];
	u32 max_entries;
} __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int flavor(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map___lab *map = (void *)ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'o' || map->name[2] != 'r' || map->name[3] != 'e' || map->name[4] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s max_entries=%u flags=%u\n", map->name,
		       map->max_entries, map->map_flags);
	return 0;
}
