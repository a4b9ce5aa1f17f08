/* Maps and helpers shared by the programs of this project. */
#ifndef ATOMICS_MAPS_H
#define ATOMICS_MAPS_H

struct totals {
	__u64 maps;
	__u64 capacity;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct totals);
} ac_totals SEC(".maps");

static __always_inline struct totals *totals_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ac_totals, &zero);
}

static __always_inline void account(struct totals *t, __u32 capacity)
{
	__sync_fetch_and_add(&t->maps, 1);
	__sync_fetch_and_add(&t->capacity, capacity);
}

#endif
