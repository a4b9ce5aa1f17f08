// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Classifies di_* maps by size with tables written with designated initializers. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct map_size_class {
	__u32 limit;
	char label[8];
};

enum { CLASS_TINY, CLASS_SMALL, CLASS_LARGE, NR_CLASSES };

static const struct map_size_class classes[NR_CLASSES] = {
	[CLASS_TINY] = { .limit = 8, .label = "tiny" },
	[CLASS_SMALL] = { .limit = 256, .label = "small" },
	[CLASS_LARGE] = { .label = "large", .limit = 0xffffffff },
};

struct tally {
	__u32 count[NR_CLASSES];
	__u64 entries;
};

struct tally tally = { .entries = 0 };

SEC("iter/bpf_map")
int classify(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct { __u32 max; int cls; } cur = { .cls = CLASS_LARGE };

	if (!map) {
		BPF_SEQ_PRINTF(seq, "tiny %u small %u large %u (%llu entries)\n", tally.count[CLASS_TINY],
			       tally.count[CLASS_SMALL], tally.count[CLASS_LARGE], tally.entries);
		return 0;
	}
	if (map->name[0] != 'd' || map->name[1] != 'i' || map->name[2] != '_')
		return 0;
	cur.max = map->max_entries;
	if (cur.max <= classes[CLASS_TINY].limit)
		cur.cls = CLASS_TINY;
	else if (cur.max <= classes[CLASS_SMALL].limit)
		cur.cls = CLASS_SMALL;
	tally.count[cur.cls]++;
	tally.entries += cur.max;
	BPF_SEQ_PRINTF(seq, "%s is %s\n", map->name, classes[cur.cls].label);
	return 0;
}
