// Lists the maps whose name starts with the prefix held in .rodata (the differential test sets it).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char prefix[8] = "lab_";

static __always_inline int has_prefix(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (name[i] != prefix[i])
			return 0;
	return 1;
}

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (!has_prefix(map->name))
		return 0;
	BPF_SEQ_PRINTF(seq, "%s type=%u key=%u value=%u max=%u\n", map->name, map->map_type,
		       map->key_size, map->value_size, map->max_entries);
	return 0;
}
