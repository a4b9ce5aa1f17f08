// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Prints each ip_* map with the service address it belongs to (from a constant table) and its
 * size in network byte order, as the wire protocol carries it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

static const __u8 service_addr[4] = { 10, 96, 0, 10 };
__u32 service_port = 53;

SEC("iter/bpf_map")
int addrs(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 wire;
	__u16 port;

	if (!map || map->name[0] != 'i' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	wire = bpf_htonl(map->max_entries);
	port = bpf_htons((__u16)service_port);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %pI4:%u size=%u wire=0x%08x port_be=0x%04x back=%u\n", map->name,
		       service_addr, service_port, map->max_entries, wire, port, bpf_ntohl(wire));
	return 0;
}
