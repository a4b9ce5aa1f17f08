/* Finding 14: an open-coded iterator destroyed by
 * __attribute__((cleanup(bpf_iter_num_destroy))) (what the bpf_for()/
 * bpf_repeat() macros of selftests' bpf_experimental.h expand to) is reported
 * as leaked.
 *
 * Construct: struct bpf_iter_num it __attribute__((cleanup(bpf_iter_num_destroy)));
 *            bpf_iter_num_new(&it, 0, n); while ((v = bpf_iter_num_next(&it))) ...
 *            (no explicit destroy: clang emits the call at scope exit)
 * Ours:   error BPF2485 "The numbers iterator it is still active when the program
 *         exits: call bpf_iter_num_destroy() on every path. Verifier: BPF_EXIT
 *         instruction in main prog would lead to reference leak".
 *         With the real bpf_for() macro we also warn BPF2016 "i is used before
 *         it is assigned on some path" on the loop variable (false too: it is
 *         assigned in the loop condition before the body runs).
 * clang 14: compiles, and emits call bpf_iter_num_destroy at the end of the
 *         variable's scope (the cleanup attribute). (Without the `(void)` mention
 *         libbpf fails: "failed to find BTF for extern 'bpf_iter_num_destroy'".)
 * Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the cleanup attribute is standard GNU C that clang honours;
 * the destroy call is in the object, so process_iter_next_call()/the reference
 * tracking in kernel/bpf/verifier.c see a balanced new/destroy.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("iter/bpf_map")
int triangle_of_id(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	long total = 0;
	int *v;

	if (!map)
		return 0;
	{
		struct bpf_iter_num it __attribute__((cleanup(bpf_iter_num_destroy)));

		bpf_iter_num_new(&it, 0, 5);
		/* clang 14 emits no BTF for an extern used only by cleanup():
		 * name it once, as bpf_experimental.h's bpf_for() does */
		(void)bpf_iter_num_destroy;
		while ((v = bpf_iter_num_next(&it)))
			total += *v;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %ld\n", map->id, total);
	return 0;
}
