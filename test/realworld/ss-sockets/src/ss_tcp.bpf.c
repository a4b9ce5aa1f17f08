// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * An ss-like listing of the TCP sockets of the reader's network namespace ("ss -tan" with uid and inode), in the
 * style of the socket dumpers that replaced /proc/net/tcp parsing with an iter/tcp program: one line per socket,
 * listeners, connections, and the time-wait and request mini sockets (which have no tcp_sock behind them).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ss_common.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/tcp")
int ss_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;
	struct tcp_sock *tp;
	__u32 rx_queue = 0, tx_queue = 0;
	__u64 ino = 0;
	__u16 lport, rport;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "State        Recv-Q Send-Q Local Address:Port  Peer Address:Port  uid ino\n");
	if (!skc)
		return 0;

	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		struct socket *so = tp->inet_conn.icsk_inet.sk.sk_socket;

		if (skc->skc_state == SS_LISTEN) {
			rx_queue = tp->inet_conn.icsk_inet.sk.sk_ack_backlog;
			tx_queue = tp->inet_conn.icsk_inet.sk.sk_max_ack_backlog;
		} else {
			rx_queue = tp->rcv_nxt - tp->copied_seq;
			tx_queue = tp->write_seq - tp->snd_una;
		}
		/* SOCK_INODE(): the inode follows the struct socket in struct socket_alloc */
		if (so)
			bpf_probe_read_kernel(&ino, sizeof(ino), &((struct socket_alloc *)so)->vfs_inode.i_ino);
	}

	lport = skc->skc_num;
	rport = bpf_ntohs(skc->skc_dport);
	BPF_SEQ_PRINTF(seq, "%-12s %6u %6u ", tcp_state_name(skc->skc_state), rx_queue, tx_queue);
	if (skc->skc_family == AF_INET6)
		BPF_SEQ_PRINTF(seq, "[%pI6]:%u [%pI6]:%u ", &skc->skc_v6_rcv_saddr, lport, &skc->skc_v6_daddr, rport);
	else
		BPF_SEQ_PRINTF(seq, "%pI4:%u %pI4:%u ", &skc->skc_rcv_saddr, lport, &skc->skc_daddr, rport);
	BPF_SEQ_PRINTF(seq, "%u %llu\n", ctx->uid, ino);
	return 0;
}
