// Static inline functions returning a struct and a union by value (clang inlines them; the value lives in the
// caller's stack): bit-fields set through a switch with fallthrough, a nested struct-valued call, a call whose value
// is dropped; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct kind_bits {
	unsigned int hash : 1;
	unsigned int percpu : 1;
	unsigned int lru : 1;
	unsigned int other : 29;
};

union kind {
	struct kind_bits bits;
	__u32 raw;
};

struct shape {
	union kind kind;
	__u32 key_size;
	__u64 bytes;
};

static __u64 calls;

static __always_inline union kind classify(__u32 type)
{
	union kind k = { .raw = 0 };

	calls++;
	switch (type) {
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		k.bits.lru = 1;
		/* fallthrough */
	case BPF_MAP_TYPE_PERCPU_HASH:
		k.bits.percpu = 1;
		/* fallthrough */
	case BPF_MAP_TYPE_HASH:
		k.bits.hash = 1;
		break;
	case BPF_MAP_TYPE_LRU_HASH:
		k.bits.hash = 1;
		k.bits.lru = 1;
		break;
	default:
		k.bits.other = type;
	}
	return k;
}

static __always_inline struct shape shape_of(struct bpf_map *map)
{
	struct shape s = {};

	s.kind = classify(map->map_type);
	s.key_size = map->key_size;
	s.bytes = (__u64)map->max_entries * (map->key_size + map->value_size);
	return s;
}

SEC("iter/bpf_map")
int shapes(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct shape s;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "classify() ran %llu times\n", calls);
		return 0;
	}
	if (map->name[0] != 's' || map->name[1] != 'r' || map->name[2] != '_')
		return 0;
	s = shape_of(map);
	classify(0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s raw=%x hash=%u percpu=%u lru=%u other=%u key=%u bytes=%llu\n", map->name,
		       s.kind.raw, s.kind.bits.hash, s.kind.bits.percpu, s.kind.bits.lru, s.kind.bits.other, s.key_size, s.bytes);
	return 0;
}
