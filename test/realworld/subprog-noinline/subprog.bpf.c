// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The per-map line is printed by a BPF-to-BPF call (a static function the compiler keeps). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __noinline int emit(struct seq_file *seq, struct bpf_map *map, __u32 nr)
{
	BPF_SEQ_PRINTF(seq, "#%u %s (%u)\n", nr, map->name, map->max_entries);
	return 0;
}

static __noinline __u32 next_number(void)
{
	static __u32 counter;

	return ++counter;
}

SEC("iter/bpf_map")
int with_subprog(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 's' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	return emit(ctx->meta->seq, map, next_number());
}
