// __builtin_strlen() of a string only known at run time (a map's name): clang cannot fold it and emits a call of
// strlen, an extern no kernel provides; libbpf refuses to open the object ("failed to find BTF for extern 'strlen'").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int name_lengths(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %lu\n", map->name, __builtin_strlen(map->name));
	return 0;
}
