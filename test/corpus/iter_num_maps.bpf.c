// An open-coded numbers iterator (what libbpf's bpf_for() expands to), written out for older libbpf headers.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

SEC("iter/bpf_map")
int count_to_max(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_iter_num it;
	int *v;
	__u64 sum = 0;

	if (!map || !is_lab_map(map->name))
		return 0;
	bpf_iter_num_new(&it, 0, map->max_entries);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %llu\n", map->name, sum);
	return 0;
}
