// A bpf_loop() callback with external linkage: the verifier takes only static functions as callbacks.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__noinline long add_index(__u32 index, void *data)
{
	*(__u64 *)data += index;
	return 0;
}

SEC("iter/bpf_map")
int loop_global_callback(struct bpf_iter__bpf_map *ctx)
{
	__u64 n = 0;

	bpf_loop(4, add_index, &n, 0);
	return 0;
}
