#ifndef KS_MAPS_H
#define KS_MAPS_H

#define KS_MAX_CPUS 128

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KS_MAX_CPUS);
	__type(key, __u32);
	__type(value, __u64);
} ks_reads SEC(".maps");

static __always_inline void ks_bump(__u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&ks_reads, &key);

	if (v) {
		__sync_fetch_and_add(v, by);
		return;
	}
	bpf_map_update_elem(&ks_reads, &key, &by, BPF_NOEXIST);
}

static __always_inline bool ks_owned(const struct bpf_map *map)
{
	return map->name[0] == 'k' && map->name[1] == 's' && map->name[2] == '_';
}

#endif
