// A static inline helper formats each value; %x, %08x and %#llx conversions.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} vals SEC(".maps");

static __always_inline void show(struct seq_file *seq, __u32 k, __u32 v)
{
	BPF_SEQ_PRINTF(seq, "%u %x %08x %X\n", k, v, v, v);
}

SEC("iter/bpf_map_elem")
int hexdump(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u32 *val = ctx->value;

	if (!key || !val)
		return 0;
	show(ctx->meta->seq, *key, *val);
	return 0;
}
