// Must be rejected: the map (a trusted kernel object) is passed to a global __noinline function whose parameter is
// `const struct bpf_map *`. The verifier checks a global function from its prototype: such a parameter is plain
// memory of sizeof(struct bpf_map) the function may read and write, which a kernel object is not ("Caller passes
// invalid args into func#1"). A static function, or the parameter tagged __arg_trusted, loads.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__noinline int is_lab_map(const struct bpf_map *map)
{
	if (!map)
		return 0;
	return map->name[0] == 'l' && map->name[1] == 'a' && map->name[2] == 'b' && map->name[3] == '_';
}

SEC("iter/bpf_map")
int lab_names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || !is_lab_map(map))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", map->name);
	return 0;
}
