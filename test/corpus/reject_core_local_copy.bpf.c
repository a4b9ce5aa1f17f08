// Must be rejected: clang relocates every access to a preserve_access_index struct, also to a local copy, so
// m.max_entries and m.id are read at the kernel's offsets 76 and 92 of an 8-byte stack object (off the frame).
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>
struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } __attribute__((preserve_access_index));
struct bpf_map { u32 max_entries; u32 id; } __attribute__((preserve_access_index));
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; } __attribute__((preserve_access_index));
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int local_copy(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map m = {};
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	bpf_probe_read_kernel(&m, sizeof(m), map);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\n", m.max_entries, m.id);
	return 0;
}
