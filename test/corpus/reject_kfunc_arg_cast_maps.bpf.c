// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: ctx->meta cast to struct bpf_map * is still a struct bpf_iter_meta to the verifier, and the
// kfunc checks the BTF type of its argument ("kernel function bpf_map_sum_elem_count args#0 expected pointer to
// STRUCT bpf_map but R1 has a pointer to STRUCT bpf_iter_meta").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("iter/bpf_map")
int wrong_kfunc_arg(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__s64 count;

	if (!map)
		return 0;
	count = bpf_map_sum_elem_count((struct bpf_map *)ctx->meta);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lld\n", count);
	return 0;
}
