// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Uses the value __sync_fetch_and_add() returns (an atomic fetch-and-add); clang 14 emits it
 * with its default CPU too. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 next_ticket;

SEC("iter/bpf_map")
int tickets(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 ticket;

	if (!map || map->name[0] != 'a' || map->name[1] != 'f' || map->name[2] != '_')
		return 0;
	ticket = __sync_fetch_and_add(&next_ticket, 1);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s ticket %llu\n", map->name, ticket);
	return 0;
}
