// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: ctx->map cast to a larger struct of the program's own and read at offset 300; the verifier
// still knows the register points to a struct bpf_map (296 bytes): "access beyond struct bpf_map at off 300 size 4".
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct map_with_tail {
	char head[300];
	__u32 tail;
};

SEC("iter/bpf_map")
int cast_beyond(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct map_with_tail *wide;

	if (!map)
		return 0;
	wide = (struct map_with_tail *)map;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", wide->tail);
	return 0;
}
