// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The iterator is fine, but the kprobe in the same object reads past struct pt_regs; loading the
 * object loads every program, so nothing gets pinned. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 last_arg;

SEC("iter/bpf_map")
int io_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'i' || map->name[1] != 'o' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}

SEC("kprobe/vfs_write")
int on_write(struct pt_regs *regs)
{
	/* meant PT_REGS_PARM3(regs); indexes past the end of the context instead */
	last_arg = ((__u64 *)regs)[sizeof(struct pt_regs) / 8 + 1];
	return 0;
}
