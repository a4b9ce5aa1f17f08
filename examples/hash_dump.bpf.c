// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Dump a hash map whose key is a struct.
 * Attach it to a map whose key is at least 12 bytes and whose value is at least 8 bytes,
 * or the kernel refuses the link with EACCES.
 *
 *   bpftool iter pin hash_dump.bpf.o /sys/fs/bpf/hash_dump map name flows
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_ZERO_SEED);
} flows SEC(".maps");

__u64 total_bytes = 0;

SEC("iter/bpf_map_elem")
int dump_flows(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct flow_key *key = ctx->key;
	__u64 *bytes = ctx->value;

	if (key == NULL || bytes == NULL) {
		BPF_SEQ_PRINTF(seq, "total %llu bytes\n", total_bytes);
		return 0;
	}

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-15s %-15s %5s %5s %5s %10s\n",
			       "saddr", "daddr", "sport", "dport", "proto", "bytes");

	BPF_SEQ_PRINTF(seq, "%-15pI4 %-15pI4 %5u %5u %5u %10llu\n", &key->saddr, &key->daddr,
		       key->sport, key->dport, key->proto, *bytes);
	total_bytes += *bytes;
	return 0;
}
