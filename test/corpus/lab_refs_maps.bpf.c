// refcnt and usercnt as bpf_iter_bpf_map.c prints them, for a map bpftool created and pinned (the pin holds one
// reference and one user reference) and for this object's own .rodata ("lab_refs.rodata": libbpf names it after
// the object file), which after `bpftool iter pin` exits only the loaded program holds (used_maps, usercnt 0).
// Each gets one more reference while the iterator shows it (bpf_map_seq_get_next()).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int refs(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s refcnt=%lld usercnt=%lld\n", map->name, map->refcnt.counter, map->usercnt.counter);
	return 0;
}
