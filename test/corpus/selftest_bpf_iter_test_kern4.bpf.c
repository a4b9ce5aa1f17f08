// Kernel selftest bpf_iter_test_kern4.c re-typed: the program records the seq_num at which each watched map is
// seen and writes print_len u64s per map. Here the watched maps are the lab_ maps and the record is printed on
// the final call instead of being read from .bss by the test.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

__u32 map1_accessed = 0, map2_accessed = 0;
__u64 map1_seqnum = 0, map2_seqnum1 = 0, map2_seqnum2 = 0;

volatile const __u32 print_len = 2;
volatile const __u32 ret1 = 0;

SEC("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u64 seq_num;
	__u32 entries;
	int i, ret = 0;

	if (map == (void *)0) {
		BPF_SEQ_PRINTF(seq, "\nmap1 %u map2 %u\n", map1_accessed, map2_accessed);
		return 0;
	}

	/* only dump lab_one and lab_two */
	if (!is_lab_map(map->name))
		return 0;

	seq_num = ctx->meta->seq_num;
	if (map->name[4] == 'o') {
		map1_seqnum = seq_num;
		map1_accessed++;
	}

	if (map->name[4] == 't') {
		if (map2_accessed == 0) {
			map2_seqnum1 = seq_num;
			if (ret1)
				ret = 1;
		} else {
			map2_seqnum2 = seq_num;
		}
		map2_accessed++;
	}

	/* fill seq_file buffer (the selftest writes seq_num, which depends on every map of the machine) */
	entries = map->max_entries;
	for (i = 0; i < print_len; i++)
		bpf_seq_write(seq, &entries, sizeof(entries));

	return ret;
}
