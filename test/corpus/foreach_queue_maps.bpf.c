// bpf_for_each_map_elem() over a queue: queue maps have no map_for_each_callback, so the verifier refuses it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u64);
} lab_queue SEC(".maps");

static long visit(struct bpf_map *map, void *key, __u64 *val, void *data)
{
	return 0;
}

SEC("iter/bpf_map")
int foreach_queue(struct bpf_iter__bpf_map *ctx)
{
	__u64 n = 0;

	bpf_for_each_map_elem(&lab_queue, visit, &n, 0);
	return 0;
}
