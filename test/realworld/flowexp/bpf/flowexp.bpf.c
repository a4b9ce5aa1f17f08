// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Flow exporter: a tc program counts IPv4 flows into fx_flows; the iterator below reports the
 * fill level of every fx_* table so the exporter can warn before a table is full. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flow.h"

char LICENSE[] SEC("license") = "GPL";

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLOW_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct flow_counters);
} fx_flows SEC(".maps");

SEC("iter/bpf_map")
int report_tables(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 raw;

	if (map == NULL)
		return 0;
	if (map->name[0] != 'f' || map->name[1] != 'x' || map->name[2] != '_')
		return 0;

	/* the exporter's wire format carries the size in network order */
	raw = bpf_htonl(map->max_entries);
	BPF_SEQ_PRINTF(seq, "%s max=%u wire=%08x used=%lld\n", map->name, map->max_entries, raw,
		       bpf_map_sum_elem_count(map));
	return 0;
}

SEC("tc")
int count_flows(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct flow_counters *c, init = {};
	struct flow_key key = {};

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	key.saddr = bpf_ntohl(ip->saddr);
	key.daddr = bpf_ntohl(ip->daddr);
	key.proto = ip->protocol;

	c = bpf_map_lookup_elem(&fx_flows, &key);
	if (!c) {
		bpf_map_update_elem(&fx_flows, &key, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&fx_flows, &key);
		if (!c)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, skb->len);
	return TC_ACT_OK;
}
