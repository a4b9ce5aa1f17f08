// Must be rejected: the first program is fine, the second dereferences ctx->map without a NULL check. libbpf loads
// every program of an object (bpftool iter pin, a skeleton's __load()), so the verifier's refusal of the second
// fails the load of the first too: nothing is pinned, nothing is printed.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int lab_names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}

SEC("iter/bpf_map")
int map_ids(struct bpf_iter__bpf_map *ctx)
{
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", ctx->map->id);
	return 0;
}
