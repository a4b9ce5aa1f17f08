// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads: ctx read through a constant offset and through another ctx type inside struct bpf_iter__bpf_map. clang
// folds the offset into the load, so the verifier sees an ordinary read of ctx->map (off=8 size=8).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int folded(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *by_offset = *(struct bpf_map **)((char *)ctx + 8);
	struct bpf_iter__bpf_map_elem *as_elem = (void *)ctx;
	struct seq_file *seq = ctx->meta->seq;

	if (!by_offset && !as_elem->map)
		BPF_SEQ_PRINTF(seq, "end of maps\n");
	return 0;
}
