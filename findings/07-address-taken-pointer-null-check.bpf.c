/* Finding 07: once a pointer variable's address is taken (&p passed to a
 * helper as a map key), an earlier `if (p)` no longer clears its NULL-ness.
 *
 * Construct: struct kmem_cache *s = ctx->s; if (s) { s->size ...;
 *            bpf_map_update_elem(&m, &s, ...); }
 *   (pattern of selftests kmem_cache_iter.c slab_info_collector)
 * Ours:   error BPF2001 "ctx->map may be NULL here and the verifier rejects
 *         dereferencing it: check it against NULL first" on map->id inside
 *         the if (map) block.
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the test happens on the register before (or while) the value
 * is spilled; mark_ptr_or_null_regs() also clears spilled stack copies with
 * the same id, and the register itself is non-NULL in the taken branch.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct bpf_map *);
	__type(value, __u32);
} seen_maps SEC(".maps");

SEC("iter/bpf_map")
int remember_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;

	if (map) {
		id = map->id;
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", id);
		bpf_map_update_elem(&seen_maps, &map, &id, BPF_ANY);
	}
	return 0;
}
