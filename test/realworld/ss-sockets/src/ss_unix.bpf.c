// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * An ss-like listing of the unix sockets of the reader's network namespace ("ss -xa"): type, state, the bound
 * path (abstract names shown with '@', as ss does) and the owner, from an iter/unix program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ss_common.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/unix")
int ss_unix(struct bpf_iter__unix *ctx)
{
	struct unix_sock *unix_sk = ctx->unix_sk;
	struct seq_file *seq = ctx->meta->seq;
	struct unix_address *addr;
	struct sock *sk;
	const char *type;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "Netid  State   uid  Path\n");
	if (!unix_sk)
		return 0;

	sk = &unix_sk->sk;
	type = sk->sk_type == 1 ? "u_str" : sk->sk_type == 2 ? "u_dgr" : "u_seq";
	BPF_SEQ_PRINTF(seq, "%s  %-7s %-4u ", type,
		       sk->__sk_common.skc_state == SS_LISTEN ? "LISTEN" :
		       sk->__sk_common.skc_state == 1 ? "ESTAB" : "UNCONN", ctx->uid);
	addr = unix_sk->addr;
	if (!addr) {
		BPF_SEQ_PRINTF(seq, "*\n");
		return 0;
	}
	if (addr->name->sun_path[0]) {
		BPF_SEQ_PRINTF(seq, "%s\n", addr->name->sun_path);
	} else {
		/* an abstract name is not NUL-terminated: its length is addr->len minus the family and the leading NUL */
		char name[108] = {};
		int len = addr->len - 3;
		int i;

		bpf_probe_read_kernel(name, sizeof(name) - 1, addr->name->sun_path + 1);
		for (i = 0; i < sizeof(name) - 1; i++)
			if (i >= len)
				name[i] = 0;
		BPF_SEQ_PRINTF(seq, "@%s\n", name);
	}
	return 0;
}
