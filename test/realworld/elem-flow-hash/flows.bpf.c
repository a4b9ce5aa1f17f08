// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Dumps the flow table: addresses and ports are stored in network byte order. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_totals {
	__u64 packets;
	__u64 bytes;
};

__u32 flows;

SEC("iter/bpf_map_elem")
int dump_flows(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct flow_key *k = ctx->key;
	struct flow_totals *st = ctx->value;
	__u32 s, d;

	if (!k || !st) {
		BPF_SEQ_PRINTF(seq, "%u flows\n", flows);
		return 0;
	}
	s = bpf_ntohl(k->saddr);
	d = bpf_ntohl(k->daddr);
	flows++;
	BPF_SEQ_PRINTF(seq, "%u.%u.%u.%u:%u -> ", s >> 24, (s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff, bpf_ntohs(k->sport));
	BPF_SEQ_PRINTF(seq, "%u.%u.%u.%u:%u proto %u packets %llu bytes %llu\n", d >> 24, (d >> 16) & 0xff, (d >> 8) & 0xff,
		       d & 0xff, bpf_ntohs(k->dport), k->proto, st->packets, st->bytes);
	return 0;
}
