// bpf_loop() with a static callback: sums the squares 0..n-1 into a stack context, stopping early at a bound.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

struct sum_ctx {
	__u64 sum;
	__u32 limit;
};

static long add_square(__u32 index, void *data)
{
	struct sum_ctx *c = data;

	if (index >= c->limit)
		return 1;
	c->sum += (__u64)index * index;
	return 0;
}

SEC("iter/bpf_map")
int loop_squares(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct sum_ctx c = { .sum = 0, .limit = 5 };
	long n;

	if (!map || !is_lab_map(map->name))
		return 0;
	c.limit = map->max_entries;
	n = bpf_loop(10, add_square, &c, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s loops=%ld sum=%llu\n", map->name, n, c.sum);
	return 0;
}
