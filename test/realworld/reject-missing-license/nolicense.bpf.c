/* Bug: no license section, and bpf_seq_printf()/bpf_printk() are GPL-only helpers. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int nolicense(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'n' || map->name[1] != 'l' || map->name[2] != '_')
		return 0;
	bpf_printk("seen %s", map->name);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}
