// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must load: the program's frame (a 200-byte buffer and a 24-byte struct, 240 bytes as clang lays them out) and
// its bpf_loop() callback's (a 272-byte buffer) add up to exactly 512 bytes, the verifier's limit for a chain.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct name_ctx {
	const char *name;
	long len;
	char last;
};

static long copy_name(__u32 index, void *data)
{
	struct name_ctx *c = data;
	char buf[272];

	__builtin_memset(buf, 0, sizeof(buf));
	c->len = bpf_probe_read_kernel_str(buf, sizeof(buf), c->name);
	c->last = buf[sizeof(buf) - 1];
	return 1;
}

SEC("iter/bpf_map")
int stack_callback_fits(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct name_ctx c = {};
	char big[200];

	if (!map)
		return 0;
	__builtin_memset(big, 0, sizeof(big));
	bpf_probe_read_kernel_str(big, 16, map->name);
	if (big[0] != 'l' || big[1] != 'a' || big[2] != 'b' || big[3] != '_')
		return 0;
	c.name = map->name;
	bpf_loop(1, copy_name, &c, 0);
	big[199] = c.last;
	bpf_seq_write(ctx->meta->seq, big, 16);
	BPF_SEQ_PRINTF(ctx->meta->seq, " len=%ld last=%d\n", c.len, big[199]);
	return 0;
}
