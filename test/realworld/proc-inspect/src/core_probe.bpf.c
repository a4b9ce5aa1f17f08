// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-process memory summary that adapts to the running kernel with CO-RE existence checks:
 * rss counters moved from an array to percpu counters, and the task state field was renamed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* the layout of older kernels, for CO-RE only */
struct task_struct___pre515 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre515 *)t, state);
}

SEC("iter/task")
int mem_summary(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct mm_struct *mm;
	int has_sched_ext = 0;
	int has_mm_cid = 0;
	__u64 total_vm;

	if (!task || task->pid != task->tgid)
		return 0;
	mm = task->mm;
	if (!mm)
		return 0;
	if (bpf_core_type_exists(struct sched_ext_entity))
		has_sched_ext = 1;
	if (bpf_core_enum_value_exists(enum mm_cid_state, MM_CID_UNSET))
		has_mm_cid = 1;
	total_vm = BPF_CORE_READ(mm, total_vm);
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "scx=%d mmcid=%d field=%d\n", has_sched_ext, has_mm_cid,
			       (int)bpf_core_field_size(mm->total_vm));
	BPF_SEQ_PRINTF(seq, "%d %-16s state %ld vm %llu pages\n", task->tgid, task->comm, task_state(task), total_vm);
	return 0;
}
