// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected: a struct bpf_map pointer cast to struct seq_file * is still a bpf_map to the verifier, which
// checks the BTF type of a seq argument ("R1 is of type bpf_map but seq_file is expected").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int wrong_seq(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;

	if (!map)
		return 0;
	id = map->id;
	bpf_seq_write((struct seq_file *)map, &id, sizeof(id));
	return 0;
}
