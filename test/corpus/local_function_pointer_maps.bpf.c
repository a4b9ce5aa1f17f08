// A local function pointer that only ever holds one function, as event-building code keeps a short name for a
// helper (`int (*save)(...) = save_to_buf;`): clang propagates the constant and calls the function directly, and the
// kernel loads it. One assigned on a branch stays an indirect call (clang emits callx, which Linux 6.18 refuses).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static __noinline int scaled(__u32 value, __u32 factor)
{
	return value * factor;
}

static __always_inline int describe(struct seq_file *seq, struct bpf_map *map)
{
	int (*scale)(__u32, __u32) = scaled;

	BPF_SEQ_PRINTF(seq, "%s keys=%d values=%d\n", map->name, scale(map->key_size, 8), scale(map->value_size, 8));
	return 0;
}

SEC("iter/bpf_map")
int pointers(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'f' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	return describe(ctx->meta->seq, map);
}
