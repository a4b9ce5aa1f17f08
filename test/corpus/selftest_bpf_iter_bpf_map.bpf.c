// Kernel selftest bpf_iter_bpf_map.c re-typed: its header, END line and %8u/%8ld/%10lu columns, for lab_ maps
// only, with max_entries in place of the map id (ids differ between machines).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

__u32 lab_seen = 0;

SEC("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (map == (void *)0) {
		BPF_SEQ_PRINTF(seq, "      %%%%%% END %%%%%%\n");
		return 0;
	}
	if (!is_lab_map(map->name))
		return 0;

	if (lab_seen++ == 0)
		BPF_SEQ_PRINTF(seq, " entries  key  value  locked_vm\n");

	BPF_SEQ_PRINTF(seq, "%8u %4u %6u %10lu\n", map->max_entries, map->key_size, map->value_size, 0LLU);
	return 0;
}
