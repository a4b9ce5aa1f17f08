// Maps whose size libbpf decides at load: a perf event array declared without max_entries (one slot per possible
// CPU) and a ring buffer of 5000 bytes (rounded up to a power-of-2 number of pages), read through the map pointers
// (`((struct bpf_map *)&map)->max_entries`, a read of the map's own struct bpf_map) and listed by the map iterator.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} lab_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} lab_ring SEC(".maps");

SEC("iter/bpf_map")
int sized(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_map *events = (struct bpf_map *)&lab_events, *ring = (struct bpf_map *)&lab_ring;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "perf slots %u, ring bytes %u\n", events->max_entries, ring->max_entries);
		return 0;
	}
	if (map->name[0] == 'l' && map->name[1] == 'a' && map->name[2] == 'b')
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s type %u max_entries %u\n", map->name, map->map_type, map->max_entries);
	return 0;
}
