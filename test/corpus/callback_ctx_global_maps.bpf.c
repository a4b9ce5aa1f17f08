// The context of a bpf_loop() callback must be on the program's stack: a global (a .bss map value) is refused.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 total;

static long add_index(__u32 index, void *data)
{
	*(__u64 *)data += index;
	return 0;
}

SEC("iter/bpf_map")
int loop_global_ctx(struct bpf_iter__bpf_map *ctx)
{
	bpf_loop(4, add_index, &total, 0);
	return 0;
}
