// Loads: two conversions and one argument fail only when bpf_seq_printf runs (bpf_bprintf_prepare(): -EINVAL),
// so that call prints nothing and the next one prints.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int too_few(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\n", map->id);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s has %u entries\n", map->name, map->max_entries);
	return 0;
}
