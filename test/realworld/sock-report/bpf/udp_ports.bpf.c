// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bound UDP ports with their owner uid, drop counter and receive queue, both families. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10

SEC("iter/udp")
int udp_ports(struct bpf_iter__udp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct udp_sock *udp = ctx->udp_sk;
	struct inet_sock *inet;
	__u16 family, sport, dport;
	int rqueue;

	if (!udp)
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "fam  local-port remote-port  uid drops rq bucket\n");
	inet = &udp->inet;
	family = inet->sk.__sk_common.skc_family;
	sport = bpf_ntohs(inet->inet_sport);
	dport = bpf_ntohs(inet->sk.__sk_common.skc_dport);
	rqueue = inet->sk.sk_backlog.rmem_alloc.counter - udp->forward_deficit;
	BPF_SEQ_PRINTF(seq, "%-4s %10u %11u %4u %5d %2d %d\n", family == AF_INET6 ? "udp6" : "udp",
		       sport, dport, ctx->uid, inet->sk.sk_drops.counter, rqueue, ctx->bucket);
	return 0;
}
