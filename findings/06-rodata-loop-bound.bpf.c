/* Finding 06: a loop bounded by a `volatile const` (.rodata) variable is
 * reported as possibly unbounded.
 *
 * Construct: volatile const __u32 reps;  for (i = 0; i < (int)reps; i++) ...
 *   (pattern of selftests bpf_iter_test_kern4.c print_len)
 * Ours:   error BPF2010 "The verifier cannot prove that this loop ends: its bound
 *         may be as large as 2147483647. Verifier: BPF program is too large.
 *         Processed 1000001 insn".
 * clang 14: compiles.  Kernel 6.18 (this host, .rodata as compiled, reps = 0):
 *         LOADED.  (With an initializer, `= 3`, we accept it: only the
 *         uninitialized form, which a loader fills in before load, is refused.)
 * Why ours is wrong: libbpf freezes .rodata (BPF_MAP_FREEZE) before loading;
 * for a read-only map with a constant key the verifier reads the actual bytes
 * (map_is_rdonly() + bpf_map_direct_read() in check_mem_access()), so reps is a
 * known constant and the loop is walked that many times. Whatever value a loader
 * writes, the verifier sees a constant; only a huge one would hit the 1M-insn
 * limit, so this deserves at most a warning, not an error.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

volatile const __u32 reps;

SEC("iter/bpf_map")
int repeat_id(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;
	int i;

	if (!map)
		return 0;
	id = map->id;
	for (i = 0; i < (int)reps; i++)
		bpf_seq_write(ctx->meta->seq, &id, sizeof(id));
	return 0;
}
