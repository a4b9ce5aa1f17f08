// %s of map->name after the NULL check of the one ctx->map load (compare reject_map_name_unchecked).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

SEC("iter/bpf_map")
int names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || !is_lab_map(map->name))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "[%s]\n", map->name);
	return 0;
}
