// Loads: %f is checked only when bpf_seq_printf runs (its format is ARG_PTR_TO_MEM); every call returns -EINVAL
// and prints nothing, then the second call prints.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int float_fmt(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%f\n", map->id);
	if (map->name[0] == 'l' && map->name[1] == 'a' && map->name[2] == 'b' && map->name[3] == '_')
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s after the failed call\n", map->name);
	return 0;
}
