// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <gadget/macros.h>

GADGET_LICENSE;

#define F_NO_PREALLOC 0x1
#define F_RDONLY_PROG 0x80

SEC("iter/bpf_map")
int ig_map_flags(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 flags;

	if (!map || !GADGET_OWNS(map))
		return 0;
	flags = map->map_flags;
	BPF_SEQ_PRINTF(seq, "%-12s flags=0x%x%s%s\n", map->name, flags,
		       flags & F_NO_PREALLOC ? " no_prealloc" : "",
		       flags & F_RDONLY_PROG ? " rdonly_prog" : "");
	return 0;
}
