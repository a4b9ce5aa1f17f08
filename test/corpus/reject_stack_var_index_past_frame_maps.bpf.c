// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: the only stack array (16 bytes) read at an index the verifier knows as [0, 31]; the end of
// that range lies above the frame pointer ("invalid variable-offset read from stack R1 var_off=(0x0; 0x1f)
// off=-16 size=1", EINVAL).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int past_frame(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char digits[16];
	__u32 i;

	if (!map)
		return 0;
	__builtin_memset(digits, '7', sizeof(digits));
	i = bpf_get_prandom_u32() & 31;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%c\n", digits[i]);
	return 0;
}
