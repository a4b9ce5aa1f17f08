// Must be rejected: bpf_copy_from_user needs a sleepable program; iter/bpf_map is not iter.s.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int copy_user(struct bpf_iter__bpf_map *ctx)
{
	char buf[8];

	if (!ctx->map)
		return 0;
	bpf_copy_from_user(buf, sizeof(buf), (void *)0x1000);
	return 0;
}
