// A bpf_for_each_map_elem() callback returning a map value: the verifier knows nothing of it, so not [0, 1].
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lab_vals SEC(".maps");

static long stop_at_value(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	return *val;
}

SEC("iter/bpf_map")
int foreach_bad_return(struct bpf_iter__bpf_map *ctx)
{
	__u64 n = 0;

	bpf_for_each_map_elem(&lab_vals, stop_at_value, &n, 0);
	return 0;
}
