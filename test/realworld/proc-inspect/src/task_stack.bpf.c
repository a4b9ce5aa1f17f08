// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kernel stacks of blocked tasks (state D), with their top frames symbolized by %pB: a
 * "where is it stuck" report. Frames go through a global buffer (too big for the stack). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_FRAMES 16
#define TASK_UNINTERRUPTIBLE 0x0002

unsigned long frames[MAX_FRAMES];
int blocked;

SEC("iter/task")
int stuck_stacks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long bytes;
	int i, n;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "%d blocked\n", blocked);
		return 0;
	}
	if (!(task->__state & TASK_UNINTERRUPTIBLE))
		return 0;
	blocked++;
	bytes = bpf_get_task_stack(task, frames, sizeof(frames), 0);
	if (bytes <= 0)
		return 0;
	n = bytes / sizeof(frames[0]);
	BPF_SEQ_PRINTF(seq, "%d %s:\n", task->pid, task->comm);
	for (i = 0; i < MAX_FRAMES; i++) {
		if (i >= n)
			break;
		BPF_SEQ_PRINTF(seq, "  %pB\n", (void *)frames[i]);
	}
	return 0;
}
