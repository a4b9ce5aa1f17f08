// A struct key of mixed field sizes, read field by field.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct conn {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct conn);
	__type(value, __u64);
} conns SEC(".maps");

SEC("iter/bpf_map_elem")
int dump_conns(struct bpf_iter__bpf_map_elem *ctx)
{
	struct conn *c = ctx->key;
	__u64 *pkts = ctx->value;

	if (!c || !pkts)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%pI4:%u/%u pkts=%llu\n", &c->addr, c->port, c->proto, *pkts);
	return 0;
}
