// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: map->name indexed by a number the verifier only knows to be in [0, 7]; a load through a
// kernel pointer needs a constant offset ("R7 is ptr_bpf_map invalid variable offset: off=136, var_off=(0x0; 0x7)").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int variable_index(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 i;

	if (!map)
		return 0;
	i = bpf_get_prandom_u32() & 7;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%c\n", map->name[i]);
	return 0;
}
