// Kernel selftest bpf_iter_test_kern3.c re-typed for the bpf_map target: it reads a field of the iterated object
// without the NULL check the final call needs, and the test expects the load to fail.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int dump_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u32 max_entries = map->max_entries;

	BPF_SEQ_PRINTF(seq, "%u\n", max_entries);
	return 0;
}
