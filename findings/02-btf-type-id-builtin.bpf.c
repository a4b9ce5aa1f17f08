/* Finding 02: bpf_core_type_id_kernel() (clang's __builtin_btf_type_id) is
 * taken for a call to an unknown helper.
 *
 * Construct: p.type_id = bpf_core_type_id_kernel(struct task_struct);
 *            then bpf_seq_printf_btf(seq, &p, sizeof(p), 0)
 *   (pattern of selftests progs/bpf_iter_task_btf.c)
 * Ours:   error BPF2011 "__builtin_btf_type_id is not a helper known to the kernel.
 *         Verifier: unknown func __builtin_btf_type_id#-2".
 * clang 14: compiles (the builtin becomes a 64-bit immediate load with a
 *         BPF_CORE_TYPE_ID_TARGET relocation, no call).
 * Kernel 6.18 (this host): LOADED (libbpf resolves the id against vmlinux BTF).
 * Why ours is wrong: it is a CO-RE relocation (bpf_core_read.h), never a call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int task_as_btf(struct bpf_iter__task *ctx)
{
	struct btf_ptr p = {};

	if (!ctx->task)
		return 0;
	p.type_id = bpf_core_type_id_kernel(struct task_struct);
	p.ptr = ctx->task;
	bpf_seq_printf_btf(ctx->meta->seq, &p, sizeof(p), 0);
	return 0;
}
