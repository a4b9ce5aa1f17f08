/* Map helpers shared by the examples. */
#ifndef EXAMPLES_MAPS_BPF_H
#define EXAMPLES_MAPS_BPF_H

#define lookup_or_zero_init_key(map, key, into)                                                         \
	({                                                                                               \
		__u64 zero = 0;                                                                          \
		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);                                        \
		into = bpf_map_lookup_elem(map, key);                                                    \
	})

#define increment_map(map, key, increment)                                                              \
	({                                                                                               \
		__u64 *count;                                                                            \
		lookup_or_zero_init_key(map, key, count);                                                \
		if (count)                                                                               \
			__sync_fetch_and_add(count, increment);                                          \
	})

#endif
