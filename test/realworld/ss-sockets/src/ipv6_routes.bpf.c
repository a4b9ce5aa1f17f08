// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The IPv6 routing tables in /proc/net/ipv6_route's columns (destination, prefix length, metric, flags, device),
 * from an iter/ipv6_route program, the way route exporters read the FIB without netlink dumps.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/ipv6_route")
int ipv6_routes(struct bpf_iter__ipv6_route *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct fib6_info *rt = ctx->rt;
	struct fib6_nh *nh;
	struct net_device *dev;
	unsigned int table = 0;

	if (!rt)
		return 0;
	nh = &rt->fib6_nh[0];
	dev = nh->nh_common.nhc_dev;
	if (rt->fib6_table)
		table = rt->fib6_table->tb6_id;
	BPF_SEQ_PRINTF(seq, "%pi6 %02x %08x %08x %3u ", &rt->fib6_dst.addr, rt->fib6_dst.plen, rt->fib6_metric,
		       rt->fib6_flags, table);
	if (dev)
		BPF_SEQ_PRINTF(seq, "%8s\n", dev->name);
	else
		BPF_SEQ_PRINTF(seq, "%8s\n", "-");
	return 0;
}
