// A .bss counter of lab_ maps, printed on the final NULL call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

static __u32 lab_maps;
static __u64 lab_entries;

SEC("iter/bpf_map")
int count(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u lab maps, %llu max entries\n", lab_maps, lab_entries);
		return 0;
	}
	if (!is_lab_map(map->name))
		return 0;
	lab_maps++;
	lab_entries += map->max_entries;
	return 0;
}
