// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The netlink sockets of the reader's network namespace, as /proc/net/netlink lists them (protocol, port id,
 * first group word), from an iter/netlink program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/netlink")
int nl_list(struct bpf_iter__netlink *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct netlink_sock *nlk = ctx->sk;
	unsigned long group0 = 0;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "Eth Pid        Groups\n");
	if (!nlk)
		return 0;
	if (nlk->groups)
		bpf_probe_read_kernel(&group0, sizeof(group0), nlk->groups);
	BPF_SEQ_PRINTF(seq, "%-3u %-10u %08x\n", nlk->sk.sk_protocol, nlk->portid, (__u32)group0);
	return 0;
}
