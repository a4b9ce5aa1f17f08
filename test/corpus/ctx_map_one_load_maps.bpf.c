// One load of ctx->map copied through locals: the NULL check of one copy covers the others, and the name's
// address is taken only after it (the kernel rejects both without it, see reject_ctx_map_reloaded).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

SEC("iter/bpf_map")
int one_load(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_map *same = map;

	if (!map)
		return 0;
	if (!is_lab_map(same->name))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s max_entries=%u key=%u value=%u\n", same->name, map->max_entries,
		       same->key_size, map->value_size);
	return 0;
}
