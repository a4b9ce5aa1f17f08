// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Established IPv6 TCP connections with their addresses, smoothed RTT and congestion window
 * (the `ss -ti6` columns a latency dashboard scrapes). Time-wait and request socks are skipped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET6 10
#define TCP_ESTABLISHED 1

SEC("iter/tcp")
int tcp6_conns(struct bpf_iter__tcp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock_common *skc = ctx->sk_common;
	struct tcp6_sock *tp6;
	struct tcp_sock *tp;
	struct sock *sk;

	if (!skc || skc->skc_family != AF_INET6)
		return 0;
	tp6 = bpf_skc_to_tcp6_sock(skc);
	if (!tp6)
		return 0;
	tp = &tp6->tcp;
	sk = &tp->inet_conn.icsk_inet.sk;
	if (sk->__sk_common.skc_state != TCP_ESTABLISHED)
		return 0;
	BPF_SEQ_PRINTF(seq, "[%pI6c]:%u -> [%pI6c]:%u ", &sk->__sk_common.skc_v6_rcv_saddr,
		       sk->__sk_common.skc_num, &sk->__sk_common.skc_v6_daddr,
		       bpf_ntohs(sk->__sk_common.skc_dport));
	BPF_SEQ_PRINTF(seq, "srtt %uus cwnd %u uid %u\n", tp->srtt_us >> 3, tp->snd_cwnd, ctx->uid);
	return 0;
}
