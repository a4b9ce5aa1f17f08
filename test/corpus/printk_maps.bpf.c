// bpf_printk() goes to the trace log, never into the seq output.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

SEC("iter/bpf_map")
int printk_names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || !is_lab_map(map->name))
		return 0;
	bpf_printk("map %s max %u", map->name, map->max_entries);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}
