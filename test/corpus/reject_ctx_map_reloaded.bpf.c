// Must be rejected: vmlinux.h's types carry preserve_access_index, so clang re-loads ctx->map at each use and
// the NULL check of the first load says nothing about the second (Linux 6.18: trusted_ptr_or_null_).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int reloaded(struct bpf_iter__bpf_map *ctx)
{
	if (!ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", ctx->map->max_entries);
	return 0;
}
