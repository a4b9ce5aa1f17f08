// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Which sockets carry a tag in socket-local storage: a policy agent stores a per-socket verdict in a
 * BPF_MAP_TYPE_SK_STORAGE map from its cgroup hooks; this iterator, pinned with that map, prints each
 * tagged socket's protocol, local and remote port and the stored value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct sk_tag {
	__u32 verdict;
	__u32 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_tag);
} skt_tags SEC(".maps");

SEC("iter/bpf_sk_storage_map")
int dump_sk_tags(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock *sk = ctx->sk;
	struct sk_tag *tag = ctx->value;

	if (!sk || !tag)
		return 0;
	BPF_SEQ_PRINTF(seq, "proto=%u lport=%u rport=%u verdict=%u hits=%u\n", sk->sk_protocol,
		       sk->__sk_common.skc_num, bpf_ntohs(sk->__sk_common.skc_dport),
		       tag->verdict, tag->hits);
	return 0;
}
