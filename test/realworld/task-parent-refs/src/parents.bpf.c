// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Process tree lines, as process inspectors print them: each thread group leader with its parent, the parent
 * read under RCU and pinned with a reference (bpf_task_acquire) while its fields are printed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

static struct task_struct *pin_parent(struct task_struct *task)
{
	struct task_struct *parent, *pinned = NULL;

	bpf_rcu_read_lock();
	parent = task->real_parent;
	if (parent)
		pinned = bpf_task_acquire(parent);
	bpf_rcu_read_unlock();
	return pinned;
}

SEC("iter/task")
int parents(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task, *parent;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "-- end\n");
		return 0;
	}
	if (task->pid != task->tgid)
		return 0;
	parent = pin_parent(task);
	if (!parent) {
		BPF_SEQ_PRINTF(seq, "%7d %-16s (no parent)\n", task->pid, task->comm);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%7d %-16s <- %7d %s\n", task->pid, task->comm, parent->tgid, parent->comm);
	bpf_task_release(parent);
	return 0;
}
