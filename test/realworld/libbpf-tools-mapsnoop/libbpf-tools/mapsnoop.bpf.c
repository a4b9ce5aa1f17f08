// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "mapsnoop.h"

const volatile bool verbose = false;
const volatile __u32 min_max_entries = 0;

SEC("iter/bpf_map")
int mapsnoop(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	char name[MAP_NAME_LEN];

	if (!map)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), map->name);
	if (name[0] != 's' || name[1] != 'n' || name[2] != '_')
		return 0;
	if (map->max_entries < min_max_entries)
		return 0;
	if (verbose)
		BPF_SEQ_PRINTF(seq, "%-16s %u %u %u\n", name, map->key_size, map->value_size, map->max_entries);
	else
		BPF_SEQ_PRINTF(seq, "%-16s %u\n", name, map->max_entries);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
