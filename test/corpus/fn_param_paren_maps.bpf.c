// source: a callback parameter written with a parenthesised name, `bool (less)(...)`, redeclared with `(*less)` (libbpf's bpf_experimental.h beside a bpftool-dumped vmlinux.h, as in eunomia-bpf/bpf-developer-tutorial src/features/bpf_wq, https://github.com/eunomia-bpf/bpf-developer-tutorial)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct sum_ctx {
	__u64 total;
	__u32 max_entries;
};

/* the header's spelling: a function-typed parameter, adjusted to a pointer */
static __always_inline long repeat(__u32 n, long (step)(__u32 index, void *data), void *data);

static long add_index(__u32 index, void *data)
{
	struct sum_ctx *c = data;

	c->total += index * (__u64)c->max_entries;
	return 0;
}

/* the definition's spelling: a pointer to function; the same type, so no conflict */
static __always_inline long repeat(__u32 n, long (*step)(__u32, void *), void *data)
{
	return bpf_loop(n, step, data, 0);
}

SEC("iter/bpf_map")
int dump_weighted(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct sum_ctx c = {};
	long loops;

	if (!map)
		return 0;
	if (bpf_strncmp(map->name, 4, "lab_") != 0)
		return 0;
	c.max_entries = map->max_entries;
	loops = repeat(4, add_index, &c);
	BPF_SEQ_PRINTF(seq, "%s loops=%ld weighted=%llu\n", map->name, loops, c.total);
	return 0;
}
