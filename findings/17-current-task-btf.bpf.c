/* Finding 17: the pointer returned by bpf_get_current_task_btf() is treated
 * as a plain integer.
 *
 * Construct: struct task_struct *cur = bpf_get_current_task_btf(); cur->pid
 * Ours:   error BPF2022 "This integer is not a pointer the verifier knows.
 *         Verifier: R? invalid mem access 'scalar'" on cur->pid.
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: bpf_get_current_task_btf_proto has ret_type
 * RET_PTR_TO_BTF_ID_TRUSTED with ret_btf_id = task_struct
 * (kernel/trace/bpf_trace.c): a trusted, non-NULL PTR_TO_BTF_ID.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int reader_pid(struct bpf_iter__task *ctx)
{
	struct task_struct *cur;

	if (ctx->meta->seq_num != 0 || !ctx->task)
		return 0;
	cur = bpf_get_current_task_btf();
	BPF_SEQ_PRINTF(ctx->meta->seq, "read by %d\n", cur->pid);
	return 0;
}
