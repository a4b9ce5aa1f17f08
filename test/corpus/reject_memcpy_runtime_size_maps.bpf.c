// The same inline copy helper given a size only known at run time: clang cannot fold it, so it would need a call of
// memcpy, which BPF has not: clang stops ("A call to built-in function 'memcpy' is not supported."), at the helper's
// __builtin_memcpy, the place clang names.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[16]);
} names SEC(".maps");

static __always_inline void copy_bytes(void *dst, const void *src, __u32 len)
{
	__builtin_memcpy(dst, src, len);
}

SEC("iter/bpf_map")
int copies(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 zero = 0;
	char *name;

	if (!map)
		return 0;
	name = bpf_map_lookup_elem(&names, &zero);
	if (!name)
		return 0;
	copy_bytes(name, map->name, map->key_size & 15);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", name);
	return 0;
}
