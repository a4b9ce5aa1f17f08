// source: a local assigned under a condition and used under the same condition, kept in a flag (`if (ok) x = v; ... if (ok) use(x);`), as tracers do with optional fields

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int flag_assigned(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	bool have_entries = false;
	__u32 entries;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	if (map->map_type == BPF_MAP_TYPE_HASH) {
		entries = map->max_entries;
		have_entries = true;
	}
	BPF_SEQ_PRINTF(seq, "%s key=%u", map->name, map->key_size);
	if (have_entries)
		BPF_SEQ_PRINTF(seq, " entries=%u", entries);
	BPF_SEQ_PRINTF(seq, "\n");
	return 0;
}
