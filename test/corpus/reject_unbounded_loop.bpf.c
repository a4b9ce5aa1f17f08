// Must be rejected: a loop whose bound comes from map data the verifier cannot bound.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int spin(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 n = 0;

	if (!map)
		return 0;
	for (;;)
		n++;
	return 0;
}
