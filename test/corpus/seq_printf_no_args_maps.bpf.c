// BPF_SEQ_PRINTF without arguments: libbpf's ___bpf_fill0 is an empty do { } while (0), not a loop to bound.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

SEC("iter/bpf_map")
int plain(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "done\n");
		return 0;
	}
	if (is_lab_map(map->name))
		BPF_SEQ_PRINTF(ctx->meta->seq, "a lab map\n");
	return 0;
}
