// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bug: a 640-byte snapshot buffer on the stack; BPF programs get 512 bytes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct snapshot {
	char names[40][16];
};

SEC("iter/bpf_map")
int snapshot(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct snapshot snap;
	__u64 seq = ctx->meta->seq_num;

	if (!map)
		return 0;
	__builtin_memset(&snap, 0, sizeof(snap));
	bpf_probe_read_kernel_str(snap.names[seq % 40], 16, map->name);
	if (snap.names[seq % 40][0] == 's' && snap.names[seq % 40][1] == 't')
		bpf_seq_write(ctx->meta->seq, &snap, sizeof(snap));
	return 0;
}
