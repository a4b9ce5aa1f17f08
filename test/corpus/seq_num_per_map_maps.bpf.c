// SPDX-License-Identifier: GPL-2.0 OR MIT
// An iter/bpf_map program that counts how often it sees two lab_ maps (lab_one and lab_two) and writes each one's
// max_entries twice with bpf_seq_write(); the counts are printed on the final call. Each map is visited exactly once
// and its seq_num is recorded, as a read loop that never has to retry an object does.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline int lab_named(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

__u32 one_visits = 0, two_visits = 0;
__u64 one_seq = 0, two_seq = 0;

const volatile __u32 copies = 2;

SEC("iter/bpf_map")
int visits(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 entries;
	int i;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "\none=%u two=%u\n", one_visits, two_visits);
		return 0;
	}
	if (!lab_named(map->name))
		return 0;
	if (map->name[4] == 'o') {
		one_seq = ctx->meta->seq_num;
		one_visits++;
	} else if (map->name[4] == 't') {
		two_seq = ctx->meta->seq_num;
		two_visits++;
	}
	entries = map->max_entries;
	for (i = 0; i < copies; i++)
		bpf_seq_write(seq, &entries, sizeof(entries));
	return 0;
}
