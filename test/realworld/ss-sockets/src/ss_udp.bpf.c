// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * An ss-like listing of the UDP sockets of the reader's network namespace ("ss -uan" with uid and inode), from
 * an iter/udp program: bound and connected sockets of both families, with the hash bucket the iterator is in.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ss_common.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/udp")
int ss_udp(struct bpf_iter__udp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct udp_sock *udp_sk = ctx->udp_sk;
	struct sock_common *skc;
	struct socket *so;
	__u64 ino = 0;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "State  Local Address:Port  Peer Address:Port  uid ino\n");
	if (!udp_sk)
		return 0;

	skc = &udp_sk->inet.sk.__sk_common;
	so = udp_sk->inet.sk.sk_socket;
	if (so)
		bpf_probe_read_kernel(&ino, sizeof(ino), &((struct socket_alloc *)so)->vfs_inode.i_ino);
	BPF_SEQ_PRINTF(seq, "%-6s ", skc->skc_state == 1 ? "ESTAB" : "UNCONN");
	if (skc->skc_family == AF_INET6) {
		struct udp6_sock *udp6 = bpf_skc_to_udp6_sock(udp_sk);

		if (!udp6)
			return 0;
		BPF_SEQ_PRINTF(seq, "[%pI6]:%u [%pI6]:%u ", &skc->skc_v6_rcv_saddr, skc->skc_num,
			       &skc->skc_v6_daddr, bpf_ntohs(skc->skc_dport));
	} else {
		BPF_SEQ_PRINTF(seq, "%pI4:%u %pI4:%u ", &skc->skc_rcv_saddr, skc->skc_num,
			       &skc->skc_daddr, bpf_ntohs(skc->skc_dport));
	}
	BPF_SEQ_PRINTF(seq, "%u %llu\n", ctx->uid, ino);
	return 0;
}
