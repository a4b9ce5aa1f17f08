/* Finding 12: bpf_strtol() / bpf_strtoul() are refused as unknown helpers in
 * iterator programs.
 *
 * Construct: bpf_strtoul(buf, len, 10, &out) in SEC("iter/bpf_map")
 * Ours:   error BPF2011 "bpf_strtoul is not a helper known to the kernel.
 *         Verifier: unknown func bpf_strtoul#106" (#105 for bpf_strtol).
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED (both, checked one per
 *         program in an iter/task program too).
 * Why ours is wrong: in 6.18 bpf_strtol_proto/bpf_strtoul_proto are served by
 * bpf_base_func_proto() (kernel/bpf/helpers.c), which tracing_prog_func_proto()
 * falls back to for every tracing program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int numeric_suffix(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char name[16];
	unsigned long n = 0;
	long s = 0;

	if (!map)
		return 0;
	__builtin_memcpy(name, map->name, sizeof(name));
	if (bpf_strtoul(name, sizeof(name), 10, &n) > 0 ||
	    bpf_strtol(name, sizeof(name), 10, &s) > 0)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u %lu %ld\n", map->id, n, s);
	return 0;
}
