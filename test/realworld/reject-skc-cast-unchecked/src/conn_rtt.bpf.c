// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Smoothed RTT of every TCP connection, one line per socket, for a connection-quality exporter.
 * The cast comes before the NULL check of ctx->sk_common: the last call of a socket iterator has no
 * socket, and bpf_skc_to_tcp_sock() does not take a maybe-NULL pointer, so the verifier refuses the load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int conn_rtt(struct bpf_iter__tcp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(ctx->sk_common);

	if (!tp)
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-8s %-8s %s\n", "sport", "dport", "srtt_us");
	BPF_SEQ_PRINTF(seq, "%-8u %-8u %u\n", tp->inet_conn.icsk_inet.inet_sport ? bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport) : 0,
		       bpf_ntohs(tp->inet_conn.icsk_inet.sk.__sk_common.skc_dport), tp->srtt_us >> 3);
	return 0;
}
