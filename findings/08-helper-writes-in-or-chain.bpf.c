/* Finding 08 (false WARNING): locals written by helpers in a short-circuit
 * `a() || b() || c()` chain that returns on failure are reported as read
 * before written.
 *
 * Construct: if (bpf_core_read(&x, ...) || bpf_core_read(&y, ...)) return 1;  use x, y
 *   (pattern of selftests dmabuf_iter.c dmabuf_collector)
 * Ours:   warning BPF2014 "y is read before it is written on some path; the value
 *         is stack garbage. An unprivileged verifier says: invalid read from
 *         stack off ... size 8" (on the later reads of the chained outputs).
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: every path that reaches the reads went through all the
 * calls (each returns 0 only after it ran); bpf_probe_read_kernel's arg1 is
 * ARG_PTR_TO_UNINIT_MEM, so check_helper_call() marks those stack bytes
 * written (STACK_MISC) after each call, on every path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int map_sizes(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 ksz, vsz, max;

	if (!map)
		return 0;
	if (bpf_core_read(&ksz, sizeof(ksz), &map->key_size) ||
	    bpf_core_read(&vsz, sizeof(vsz), &map->value_size) ||
	    bpf_core_read(&max, sizeof(max), &map->max_entries))
		return 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %u\n", ksz, vsz, max);
	return 0;
}
