// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: the bpf_map iterator's ctx is read as the bpf_map_elem one. Its key field lies past the end of
// struct bpf_iter__bpf_map (16 bytes), and btf_ctx_access() refuses it ("invalid bpf_context access off=16 size=8").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int wrong_ctx(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_iter__bpf_map_elem *as_elem = (void *)ctx;
	struct seq_file *seq = ctx->meta->seq;

	if (as_elem->key)
		BPF_SEQ_PRINTF(seq, "has a key\n");
	return 0;
}
