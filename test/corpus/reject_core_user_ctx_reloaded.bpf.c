// Must be rejected: the program's own ctx struct has preserve_access_index, so clang loads ctx->map again at each
// use and the NULL check of the first load does not cover the second (trusted_ptr_or_null_).
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } __attribute__((preserve_access_index));
struct bpf_map { u32 max_entries; } __attribute__((preserve_access_index));
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; } __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int reloaded(struct bpf_iter__bpf_map *ctx)
{
	if (!ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", ctx->map->max_entries);
	return 0;
}
