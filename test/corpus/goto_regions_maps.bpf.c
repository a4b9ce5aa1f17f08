// goto: several labels in one block, a goto out of a loop, break/continue/switch inside goto regions; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static __always_inline int classify(__u32 v)
{
	int r = 0;
	if (v == 0)
		goto zero;
	if (v > 100)
		goto big;
	r = 1;
	goto done;
zero:
	r = 2;
big:
	r += 10;
done:
	return r;
}

SEC("iter/bpf_map")
int walk(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 sum = 0, i;
	int kind;

	if (!map)
		return 0;
	if (map->name[0] != 'g' || map->name[1] != 't' || map->name[2] != '_')
		goto skip;
	for (i = 0; i < 8; i++) {
		if (i == 2)
			continue;
		if (i & 1) {
			if (i == 5)
				goto found;
			continue;
		}
		switch (i) {
		case 4:
			if (map->key_size == 4)
				break;
			sum += 100;
			break;
		default:
			sum += i;
		}
		sum += 1;
	}
	sum += 1000;
found:
	kind = classify(map->max_entries);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s sum=%u kind=%d\n", map->name, sum, kind);
skip:
	;
	return 0;
}
