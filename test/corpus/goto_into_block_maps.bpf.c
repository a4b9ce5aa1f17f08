// source: an error path entered by `goto` from outside its block, the way retsnoop's session bookkeeping jumps to `out_defunct:` inside `if (sess->defunct) { ... return false; }`.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

__u64 seen, defunct;

SEC("iter/bpf_map")
int sessions(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 entries;

	if (!map)
		return 0;
	if (map->name[0] != 'g' || map->name[1] != 'b' || map->name[2] != '_')
		return 0;
	entries = map->max_entries;
	seen++;
	if (entries > 100) {
		if (map->key_size == 8) {
			defunct += 10;
			goto out_defunct;
		}
	}
	if (entries == 3) {
out_defunct:
		defunct++;
		BPF_SEQ_PRINTF(seq, "%s defunct seen=%llu defunct=%llu\n", map->name, seen, defunct);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%s live entries=%u\n", map->name, entries);
	return 0;
}
