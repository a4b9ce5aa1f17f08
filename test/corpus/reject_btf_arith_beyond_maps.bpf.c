// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: 8 bytes read right after the end of struct bpf_map through pointer arithmetic on ctx->map
// ("access beyond struct bpf_map at off 296 size 8"); reading other kernel memory takes bpf_probe_read_kernel().
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int arith_beyond(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 after;

	if (!map)
		return 0;
	after = *(__u64 *)((char *)map + sizeof(*map));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llx\n", after);
	return 0;
}
