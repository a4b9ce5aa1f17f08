// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Connection-state histogram of the namespace's TCP sockets (listeners, established, time-wait,
 * request socks), printed once at the end of the walk, with the retransmit total of full sockets. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define TCP_STATE_MAX 16

__u64 state_count[TCP_STATE_MAX];
__u64 retrans_total;
__u32 full_socks;

static const char *const state_names[TCP_STATE_MAX] = {
	"?", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
	"CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV", "BOUND-INACTIVE", "?", "?",
};

static __always_inline void print_summary(struct seq_file *seq)
{
	int i;

	for (i = 1; i < TCP_STATE_MAX; i++) {
		__u64 n = state_count[i];

		if (n)
			BPF_SEQ_PRINTF(seq, "%-14s %llu\n", state_names[i], n);
	}
	BPF_SEQ_PRINTF(seq, "full %u retrans %llu\n", full_socks, retrans_total);
}

SEC("iter/tcp")
int tcp_states(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	__u8 state;

	if (!skc) {
		print_summary(ctx->meta->seq);
		return 0;
	}
	state = skc->skc_state;
	if (state < TCP_STATE_MAX)
		__atomic_fetch_add(&state_count[state], 1, __ATOMIC_RELAXED);
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		__sync_fetch_and_add(&full_socks, 1);
		__atomic_add_fetch(&retrans_total, tp->total_retrans, __ATOMIC_RELAXED);
	}
	return 0;
}
