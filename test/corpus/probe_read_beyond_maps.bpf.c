// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must load: the same bytes after struct bpf_map as reject_btf_arith_beyond_maps, copied with
// bpf_probe_read_kernel(), a helper the verifier does not walk the struct for (what the bytes are, and
// whether the copy succeeds, depends on the kernel's slab; only the names are printed).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int probe_beyond(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 after = 0;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	bpf_probe_read_kernel(&after, sizeof(after), (char *)map + sizeof(*map));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s copied\n", map->name);
	return 0;
}
