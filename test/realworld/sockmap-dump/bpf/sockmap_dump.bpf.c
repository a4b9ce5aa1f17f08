// SPDX-License-Identifier: GPL-2.0 OR MIT
/* What is in a proxy's sockmap: a sidecar redirecting between sockets keeps them in a
 * BPF_MAP_TYPE_SOCKMAP, and this dump (pinned with the map's fd) lists each slot with the socket's
 * family, protocol and ports, empty slots as "-", then a summary line. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10

__u32 used_slots = 0;

SEC("iter/sockmap")
int dump_sockmap(struct bpf_iter__sockmap *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock *sk = ctx->sk;
	__u32 *key = ctx->key;
	__u16 family;

	if (!key) {
		BPF_SEQ_PRINTF(seq, "%u of %u slots used\n", used_slots, ctx->map->max_entries);
		return 0;
	}
	if (!sk) {
		BPF_SEQ_PRINTF(seq, "%4u -\n", *key);
		return 0;
	}
	used_slots++;
	family = sk->__sk_common.skc_family;
	BPF_SEQ_PRINTF(seq, "%4u %s proto=%u sport=%u dport=%u\n", *key,
		       family == AF_INET6 ? "inet6" : family == AF_INET ? "inet" : "other",
		       sk->sk_protocol, sk->__sk_common.skc_num,
		       bpf_ntohs(sk->__sk_common.skc_dport));
	return 0;
}
