// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: the seq_file pointer is copied with bpf_probe_read_kernel() (what BPF_CORE_READ() does). The
// copy is a plain number to the verifier, and bpf_seq_write() needs the trusted pointer itself
// ("R1 type=scalar expected=ptr_, trusted_ptr_, rcu_ptr_").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int copied_seq(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct seq_file *out;
	__u32 id;

	if (!map)
		return 0;
	id = map->id;
	bpf_probe_read_kernel(&out, sizeof(out), &ctx->meta->seq);
	bpf_seq_write(out, &id, sizeof(id));
	return 0;
}
