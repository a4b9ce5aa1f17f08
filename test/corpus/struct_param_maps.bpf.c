// Structs and unions passed by value to static inline functions (clang inlines them; each gets its own copy):
// the callee changes its copy and the caller's value stays, an argument that is itself a struct-valued call, a
// union read through another member; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct sizes {
	__u32 key;
	__u32 value;
	__u32 max;
};

union word {
	__u32 whole;
	__u8 bytes[4];
};

static __always_inline struct sizes sizes_of(struct bpf_map *map)
{
	struct sizes s = { .key = map->key_size, .value = map->value_size, .max = map->max_entries };
	return s;
}

static __always_inline __u64 footprint(struct sizes s)
{
	__u64 total = (__u64)s.max * (s.key + s.value);

	s.key = 0;
	s.value = 0;
	return total + s.key + s.value;
}

static __always_inline __u32 low_byte_sum(union word w)
{
	return w.bytes[0] + w.bytes[1] + w.bytes[2] + w.bytes[3];
}

SEC("iter/bpf_map")
int params(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct sizes s;
	union word w;

	if (!map)
		return 0;
	if (map->name[0] != 's' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	s = sizes_of(map);
	w.whole = map->max_entries;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s footprint=%llu again=%llu key=%u value=%u bytesum=%u\n", map->name,
		       footprint(s), footprint(sizes_of(map)), s.key, s.value, low_byte_sum(w));
	return 0;
}
