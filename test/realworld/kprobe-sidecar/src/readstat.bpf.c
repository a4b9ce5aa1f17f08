// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int readstat_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || !ks_owned(map))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s key=%u value=%u max=%u\n", map->name, map->key_size,
		       map->value_size, map->max_entries);
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(on_vfs_read, struct file *file, char *buf, size_t count)
{
	ks_bump(bpf_get_smp_processor_id(), count);
	return 0;
}
