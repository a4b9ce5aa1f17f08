// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Map pressure for the agent: the fill level of each cil_* map, one line each. */
#include <bpf/types.h>
#include <bpf/compiler.h>
#include <bpf/helpers.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_map {
	__u32 id;
	char name[16];
	__u32 max_entries;
};

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};
#pragma clang attribute pop

__s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

static __always_inline int is_agent_map(const struct bpf_map *map)
{
	return map->name[0] == 'c' && map->name[1] == 'i' && map->name[2] == 'l' && map->name[3] == '_';
}

__section("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	static const char fmt[] = "%s %lld %u\n";
	struct bpf_map *map = ctx->map;
	__u64 args[3];

	if (!map || !is_agent_map(map))
		return 0;

	args[0] = (__u64)(unsigned long)map->name;
	args[1] = bpf_map_sum_elem_count(map);
	args[2] = map->max_entries;
	seq_printf(ctx->meta->seq, fmt, sizeof(fmt), args, sizeof(args));
	return 0;
}

BPF_LICENSE("Dual BSD/GPL");
