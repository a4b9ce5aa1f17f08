// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Netlink sockets with queued bytes and drops, the columns of /proc/net/netlink a monitoring agent
 * alarms on; protocol names for the common families. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define NETLINK_ROUTE 0
#define NETLINK_AUDIT 9
#define NETLINK_KOBJECT_UEVENT 15
#define NETLINK_GENERIC 16

static __always_inline const char *proto_name(int proto)
{
	if (proto == NETLINK_ROUTE)
		return "route";
	if (proto == NETLINK_AUDIT)
		return "audit";
	if (proto == NETLINK_KOBJECT_UEVENT)
		return "uevent";
	if (proto == NETLINK_GENERIC)
		return "generic";
	return "other";
}

SEC("iter/netlink")
int nl_queues(struct bpf_iter__netlink *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct netlink_sock *nlk = ctx->sk;
	struct sock *sk;
	int rmem, wmem;

	if (!nlk)
		return 0;
	sk = &nlk->sk;
	rmem = sk->sk_backlog.rmem_alloc.counter;
	wmem = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter);
	BPF_SEQ_PRINTF(seq, "%-8s portid %-10u rmem %d wmem %d drops %d\n", proto_name(sk->sk_protocol), nlk->portid,
		       rmem, wmem, sk->sk_drops.counter);
	return 0;
}
