// Struct values chosen by `c ? a : b` (only the chosen operand is evaluated: a struct-valued call fills its slot only
// when chosen) and taken from `(x, y)`, compound literals assigned and passed by value; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct pair { __u32 a; __u32 b; };

static __u64 made;

static __always_inline struct pair make(__u32 a, __u32 b)
{
	made++;
	return (struct pair){ .a = a, .b = b };
}

static __always_inline __u32 weigh(struct pair p)
{
	return p.a * 10 + p.b;
}

SEC("iter/bpf_map")
int select_pairs(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct pair fixed = { .a = 7, .b = 9 };
	struct pair p, q;
	int n = 0;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "make() ran %llu times\n", made);
		return 0;
	}
	if (map->name[0] != 's' || map->name[1] != 's' || map->name[2] != '_')
		return 0;
	p = map->max_entries > 100 ? make(map->key_size, map->value_size) : fixed;
	q = (n++, fixed);
	q.b += n;
	fixed = (struct pair){ .b = map->max_entries };
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s p=%u q=%u fixed=%u lit=%u\n", map->name, weigh(p), weigh(q), weigh(fixed),
		       weigh((struct pair){ 1, 2 }));
	return 0;
}
