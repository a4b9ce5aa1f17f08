// Must be rejected: struct bpf_map has no field "entries" in the kernel, so libbpf cannot relocate the access and
// replaces it with a call of an invalid helper; the verifier reaches it ("failed to resolve CO-RE relocation").
#include "core_user_types.h"
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } __attribute__((preserve_access_index));
struct bpf_map { char name[16]; u32 entries; } __attribute__((preserve_access_index));
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; } __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int missing(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u\n", map->name, map->entries);
	return 0;
}
