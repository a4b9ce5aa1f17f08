// goto: forward jumps to a cleanup label before '}' and a backward retry jump (a loop); output from bpftool iter pin + cat on Linux.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
static __u32 seen;
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	int tries = 0;
	__u32 n;
	if (!map)
		goto out;
	if (map->name[0] != 'g' || map->name[1] != 'r' || map->name[2] != '_')
		goto out;
	n = map->max_entries;
again:
	tries++;
	if (tries < 3 && n > 4) {
		n /= 2;
		goto again;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s tries=%d n=%u\n", map->name, tries, n);
	seen++;
out:
	return 0;
}
