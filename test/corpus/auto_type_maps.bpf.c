// GNU __auto_type takes the initializer's type (a u32 stays unsigned 32-bit and wraps, a pointer is a pointer, an
// array decays), as libbpf-style min/max macros use it; typeof, _Generic and `?:` beside it; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define min_t_auto(a, b) ({ __auto_type _a = (a); __auto_type _b = (b); _a < _b ? _a : _b; })
#define WIDTH(x) _Generic((x), __u32: 32, __u64: 64, char *: 8, default: 0)

SEC("iter/bpf_map")
int autos(struct bpf_iter__bpf_map *ctx)
{
	__auto_type map = ctx->map;
	__u64 big = 1ULL << 40;

	if (!map)
		return 0;
	if (map->name[0] != 'a' || map->name[1] != 't' || map->name[2] != '_')
		return 0;
	__auto_type key = map->key_size;
	__auto_type name = map->name;
	__auto_type wide = big + key;
	typeof(key) copy = key;

	key -= 100;
	copy = copy ?: 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s key-100=%u top=%u wide=%llu min=%u widths=%d/%d/%d first=%c\n", name, key,
		       key >> 28, wide, min_t_auto(map->max_entries, map->value_size), WIDTH(key), WIDTH(wide),
		       WIDTH(name), name[0]);
	return 0;
}
