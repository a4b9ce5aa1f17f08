// Must be rejected: bpf_seq_write reads 16 bytes from an 8-byte local (invalid read from stack off=-8 size=16).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int ids(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 id;

	if (!map)
		return 0;
	id = map->id;
	bpf_seq_write(ctx->meta->seq, &id, 16);
	return 0;
}
