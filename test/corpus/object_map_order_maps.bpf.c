// An object whose maps are named in code out of their declaration order, with a map of maps given by
// __array(values, ...) and a filled slot, a map pinned by name, statics and a format in a static inline function:
// the maps, the internal maps and their order are what clang and libbpf make of them.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} mo_first SEC(".maps");

struct mo_slot {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
};
struct mo_slot mo_inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct mo_slot);
} mo_outer SEC(".maps") = {
	.values = { [1] = &mo_inner },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mo_pinned SEC(".maps");

static __u64 seen;
static __u64 mine;
int mo_data[2] = { 7, 9 };

static __always_inline void summary(struct seq_file *seq)
{
	__u32 one = 1, zero = 0, *slot_value = 0;
	void *inner = bpf_map_lookup_elem(&mo_outer, &one);

	if (inner)
		slot_value = bpf_map_lookup_elem(inner, &zero);
	BPF_SEQ_PRINTF(seq, "mine %llu slot %s %u\n", mine, inner ? "filled" : "empty", slot_value ? *slot_value : 0);
}

SEC("iter/bpf_map")
int list_object_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 zero = 0;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "data %d, every map seen: %s\n", mo_data[1], seen >= mine ? "yes" : "no");
		summary(seq);
		return 0;
	}
	seen++;
	if (bpf_map_lookup_elem(&mo_first, &zero))
		return 0;
	/* the object's maps: named mo_..., or its internal maps (object_map_order_maps.bss -> "object_"...) */
	if (!(map->name[0] == 'm' && map->name[1] == 'o' && map->name[2] == '_') &&
	    !(map->name[0] == 'o' && map->name[1] == 'b' && map->name[2] == 'j'))
		return 0;
	mine++;
	BPF_SEQ_PRINTF(seq, "%s type %u key %u value %u max %u\n", map->name, map->map_type, map->key_size,
		       map->value_size, map->max_entries);
	return 0;
}
