// Without preserve_access_index nothing is relocated: the program's own layout is used as written (here padded
// to the kernel's offsets), and clang -O2 loads ctx->map once, so the NULL check covers the later uses.
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; };
struct bpf_map {
	char pad0[76];
	u32 max_entries;	/* offset 76 in Linux 6.18 */
	char pad1[56];
	char name[16];		/* offset 136 */
};
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; };

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int plain(struct bpf_iter__bpf_map *ctx)
{
	if (!ctx->map)
		return 0;
	if (ctx->map->name[0] != 'c' || ctx->map->name[1] != 'o' || ctx->map->name[2] != 'r' ||
	    ctx->map->name[3] != 'e' || ctx->map->name[4] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s max_entries=%u\n", ctx->map->name, ctx->map->max_entries);
	return 0;
}
