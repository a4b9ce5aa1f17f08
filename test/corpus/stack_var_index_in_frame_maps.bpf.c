// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be accepted: a read of a 16-byte stack buffer at a random index masked to 0..15 stays inside the frame, which
// the verifier allows a privileged program (check_stack_read_var_off()); the buffer is filled, so every index
// reads the same byte and the output does not depend on the random number.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int stack_var_index_in_frame(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char d[16];
	__u32 r;

	if (!map || map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	__builtin_memset(d, 'x', sizeof(d));
	r = bpf_get_prandom_u32();
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %c\n", map->name, d[r & 15]);
	return 0;
}
