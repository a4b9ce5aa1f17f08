// A field the kernel lacks (entries) is fine where the verifier proves the access dead: libbpf poisons the
// instruction, the verifier prunes the branch on the frozen .rodata value, and the program loads. key_size is
// a __u16 here and a u32 in the kernel: libbpf widens the load to 4 bytes.
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>
struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } __attribute__((preserve_access_index));
struct bpf_map { char name[16]; u32 entries; s64 max_entries; __u16 key_size; } __attribute__((preserve_access_index));
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; } __attribute__((preserve_access_index));
char LICENSE[] SEC("license") = "GPL";
const volatile int show_missing = 0;
SEC("iter/bpf_map")
int dead_branch(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'o' || map->name[2] != 'r' || map->name[3] != 'e' || map->name[4] != '_')
		return 0;
	if (show_missing)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", map->entries);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s key=%u\n", map->name, map->key_size);
	return 0;
}
