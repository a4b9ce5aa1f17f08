/* Finding 11: an iterator program written with libbpf's BPF_PROG() macro
 * (arguments unpacked from the ctx as an array of u64) is refused.
 *
 * Construct: SEC("iter/bpf_map")
 *            int BPF_PROG(name, struct bpf_iter_meta *meta, struct bpf_map *map)
 *   (pattern used by kernel selftests for iter/cgroup programs, e.g.
 *   `SEC("iter/cgroup") int BPF_PROG(cpu_cgroup, struct bpf_iter_meta *meta,
 *   struct cgroup *cgrp)`, and by iters/cpumask tests)
 * Ours:   error BPF1394 "the ctx of an iter/bpf_map program is struct
 *         bpf_iter__bpf_map *, not unsigned long long *".
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the verifier checks ctx loads of a tracing program by
 * offset through btf_ctx_access() against the target's ctx struct
 * (bpf_iter__bpf_map: meta at 0, map at 8), not by the C parameter type; the
 * u64 slots BPF_PROG reads are exactly those offsets, so the loads get the
 * same PTR_TO_BTF_ID types (map still maybe-NULL).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int BPF_PROG(list_map_ids, struct bpf_iter_meta *meta, struct bpf_map *map)
{
	if (!map)
		return 0;
	BPF_SEQ_PRINTF(meta->seq, "%u\n", map->id);
	return 0;
}
