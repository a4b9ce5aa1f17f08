// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Must be rejected: the task's group leader is pinned with bpf_task_acquire, but the early return for kernel
 * threads leaves with the reference still held ("Unreleased reference"): every path that got the reference must
 * release it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD 0x00200000

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("iter/task")
int owners(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *leader;

	if (!task)
		return 0;
	leader = bpf_task_acquire(task);
	if (!leader)
		return 0;
	if (leader->flags & PF_KTHREAD)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d uid %u\n", leader->pid, leader->cred->uid.val);
	bpf_task_release(leader);
	return 0;
}
