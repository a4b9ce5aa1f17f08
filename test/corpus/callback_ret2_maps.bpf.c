// A bpf_loop() callback must return 0 (continue) or 1 (stop): returning 2 is refused at the callback's exit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static long count_up(__u32 index, void *data)
{
	__u64 *n = data;

	*n += index;
	return 2;
}

SEC("iter/bpf_map")
int loop_bad_return(struct bpf_iter__bpf_map *ctx)
{
	__u64 n = 0;

	bpf_loop(4, count_up, &n, 0);
	return 0;
}
