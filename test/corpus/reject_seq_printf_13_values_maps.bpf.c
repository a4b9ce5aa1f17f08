// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected, by clang: BPF_SEQ_PRINTF of 13 values expands to a call of ___bpf_fill13, which libbpf's
// bpf_helpers.h does not define (the macro stops at 12); the implicit declaration only warns, but the BPF backend
// passes at most 5 arguments and that call has 15 ("too many args to ... @___bpf_fill13").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int thirteen(struct bpf_iter__bpf_map *ctx)
{
	if (ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %d %d %d %d %d %d %d %d %d %d %d\n", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
	return 0;
}
