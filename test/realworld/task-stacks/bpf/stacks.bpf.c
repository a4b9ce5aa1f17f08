// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kernel stacks of every task, the way hang and latency tools list where each thread sleeps: the frames come from
 * bpf_get_task_stack() into a global buffer (too big for the 512-byte stack), one line per frame. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_DEPTH 64

__u64 frames[MAX_DEPTH];
__u32 tasks_seen;

SEC("iter/task")
int task_stacks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long bytes;
	int i;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "%u tasks\n", tasks_seen);
		return 0;
	}
	tasks_seen++;
	bytes = bpf_get_task_stack(task, frames, sizeof(frames), 0);
	if (bytes <= 0) {
		BPF_SEQ_PRINTF(seq, "%d (%s): no kernel stack\n", task->pid, task->comm);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%d (%s): %ld frames\n", task->pid, task->comm, bytes / 8);
	for (i = 0; i < MAX_DEPTH; i++) {
		if (i * 8 >= bytes)
			break;
		BPF_SEQ_PRINTF(seq, "  %pS\n", (void *)frames[i]);
	}
	return 0;
}
