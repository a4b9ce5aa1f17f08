/* Shared between the datapath and the exporter's iterator. */
#ifndef FLOWEXP_FLOW_H
#define FLOWEXP_FLOW_H

#define TC_ACT_OK 0
#define ETH_P_IP 0x0800
#define FLOW_TABLE_SIZE 4096

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_counters {
	__u64 packets;
	__u64 bytes;
};

#endif
