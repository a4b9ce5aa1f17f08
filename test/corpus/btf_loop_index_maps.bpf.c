// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must load: map->name indexed by the counter of a bounded loop; the verifier walks each iteration with the
// counter known, so every load has a constant offset.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int loop_index(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 sum = 0;
	int i;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	for (i = 0; i < 8; i++)
		sum += (__u8)map->name[i];
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s sum=%u\n", map->name, sum);
	return 0;
}
