// %d and %lld of negative values, %+d and % d flags.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64);
} vals SEC(".maps");

SEC("iter/bpf_map_elem")
int signed_vals(struct bpf_iter__bpf_map_elem *ctx)
{
	__s64 *val = ctx->value;

	if (!val)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lld %d %+d [% d] [%5d] [%-5d]\n", *val, (int)*val, (int)*val, (int)*val, (int)*val, (int)*val);
	return 0;
}
