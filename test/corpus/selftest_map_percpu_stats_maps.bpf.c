// In the style of the kernel selftest map_percpu_stats.c: bpf_map_sum_elem_count() of each lab_ hash map
// (preallocated, BPF_F_NO_PREALLOC and LRU), added up and printed with the number of maps on the final call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

__u32 maps = 0;
__s64 elements = 0;

SEC("iter/bpf_map")
int sum_counts(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u lab maps hold %lld elements\n", maps, elements);
		return 0;
	}
	if (!is_lab_map(map->name))
		return 0;
	maps++;
	elements += bpf_map_sum_elem_count(map);
	return 0;
}
