// SPDX-License-Identifier: GPL-2.0 OR MIT
// A bpf_map_elem iterator over a hash map whose key is a 12-byte struct: a banner when seq_num is 0, one line per
// element with the map id, the key's three fields and the u64 value, and a closing line on the final call (key and
// value NULL). With a single element the final call still sees seq_num 0, so the banner appears twice.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct triple {
	int first;
	int second;
	int third;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 3);
	__type(key, struct triple);
	__type(value, __u64);
} triples SEC(".maps");

SEC("iter/bpf_map_elem")
int show_triples(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct triple *t = ctx->key;
	__u64 *count = ctx->value;

	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "-- triples --\n");
	if (!t || !count) {
		BPF_SEQ_PRINTF(seq, "-- done --\n");
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "map %d: [%x, %d, %x] -> %llx\n", ctx->map->id, t->first, t->second, t->third, *count);
	return 0;
}
