// BPF_CORE_READ and bpf_core_read() on a struct the program declares itself: the address each one takes
// (__builtin_preserve_access_index) is relocated like a direct access, so the kernel's offsets are read.
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } __attribute__((preserve_access_index));
struct bpf_map { u32 key_size; char name[16]; u32 max_entries; } __attribute__((preserve_access_index));
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; } __attribute__((preserve_access_index));
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int core_read(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'o' || map->name[2] != 'r' || map->name[3] != 'e' || map->name[4] != '_')
		return 0;
	u32 max = BPF_CORE_READ(map, max_entries);
	u32 key = 0;
	bpf_core_read(&key, sizeof(key), &map->key_size);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s max=%u key=%u\n", map->name, max, key);
	return 0;
}
