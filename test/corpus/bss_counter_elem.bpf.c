// A .bss counter numbers the elements across calls.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __u32 seen;

SEC("iter/bpf_map_elem")
int number_vals(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	if (!val)
		return 0;
	seen++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "#%u=%llu\n", seen, *val);
	return 0;
}
