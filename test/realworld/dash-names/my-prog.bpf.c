// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Lists this object's own global-data maps: libbpf names them after the object file (my-prog.bpf.o),
 * with characters the kernel refuses replaced. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 min_entries = 1;
__u32 seen;

SEC("iter/bpf_map")
int list_own(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'm' || map->name[1] != 'y' || map->name[2] != '_' || map->name[3] != 'p')
		return 0;
	if (map->max_entries < min_entries)
		return 0;
	seen++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u value=%u flags=0x%x\n", map->name, map->map_type,
		       map->value_size, map->map_flags);
	return 0;
}
