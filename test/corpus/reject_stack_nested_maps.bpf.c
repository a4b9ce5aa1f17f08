// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: three frames along one call chain, the program (192 bytes of buffer), a subprogram (160)
// called inside a statement expression and the subprogram it calls (176): 528 bytes, over the verifier's 512
// ("combined stack size of 3 calls is 528. Too large").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __noinline int name_tail(const char *name)
{
	char buf[176];

	__builtin_memset(buf, 0, sizeof(buf));
	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	return buf[4] + buf[175];
}

static __noinline int name_head(const char *name)
{
	char buf[160];

	__builtin_memset(buf, 0, sizeof(buf));
	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	return buf[0] + buf[159] + name_tail(name);
}

SEC("iter/bpf_map")
int stack_nested_too_large(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char big[192];
	int sum;

	if (!map)
		return 0;
	__builtin_memset(big, 0, sizeof(big));
	bpf_probe_read_kernel_str(big, 16, map->name);
	if (big[0] != 'l' || big[1] != 'a' || big[2] != 'b' || big[3] != '_')
		return 0;
	sum = ({ int head = name_head(map->name); head + big[191]; });
	bpf_seq_write(ctx->meta->seq, big, 16);
	BPF_SEQ_PRINTF(ctx->meta->seq, " sum=%d\n", sum);
	return 0;
}
