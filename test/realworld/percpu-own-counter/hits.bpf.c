// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-CPU hit counter: counted on whatever CPU runs the iterator, summed over the CPUs at the end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_CPUS 64

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pc_hits SEC(".maps");

SEC("iter/bpf_map")
int per_cpu_hits(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 key = 1, cpu;
	__u64 *hits, total = 0;

	if (map) {
		if (map->name[0] == 'p' && map->name[1] == 'c' && map->name[2] == '_') {
			hits = bpf_map_lookup_elem(&pc_hits, &key);
			if (hits)
				*hits += 1;
		}
		return 0;
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		hits = bpf_map_lookup_percpu_elem(&pc_hits, &key, cpu);
		if (!hits)
			break;
		total += *hits;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "pc maps seen: %llu (summed over %u cpus)\n", total, cpu);
	return 0;
}
