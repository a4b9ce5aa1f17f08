// Structs by value through chains of static inline calls: a parameter changed and returned, a call's value passed
// straight to another, a member read off a call's value, a map value dereferenced as an argument; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct pnt { __u32 x; __u32 y; __u64 tag; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pnt);
} origin SEC(".maps");

static __always_inline struct pnt shift(struct pnt p, __u32 dx)
{
	p.x += dx;
	p.tag = p.tag * 31 + dx;
	return p;
}

static __always_inline struct pnt twice(struct pnt p, __u32 dx)
{
	return shift(shift(p, dx), dx);
}

static __always_inline __u64 score(struct pnt p)
{
	return (__u64)p.x * 1000 + p.y + p.tag;
}

SEC("iter/bpf_map")
int chains(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 zero = 0;
	struct pnt *o, a;

	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'h' || map->name[2] != '_')
		return 0;
	o = bpf_map_lookup_elem(&origin, &zero);
	if (!o)
		return 0;
	a = twice(*o, map->key_size);
	if (shift(a, 1).x > 100)
		a.y = 7;
	o->tag += 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s a=%llu o=%llu s=%llu\n", map->name, score(a), score(*o), score(twice(a, map->value_size)));
	return 0;
}
