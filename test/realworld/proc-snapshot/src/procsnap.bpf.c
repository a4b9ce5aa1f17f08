// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Process snapshot: one line per process (threads folded into their leader's count is the
 * user-space side's job), the way process-listing tools read a pinned iter/task instead of /proc. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD 0x00200000

SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	const struct cred *cred;
	char state;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "# %llu tasks\n", ctx->meta->seq_num);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-16s %8s %8s %5s %s\n", "COMM", "TGID", "PPID", "UID", "KIND");
	/* only the leader of each thread group */
	if (task->pid != task->tgid)
		return 0;
	cred = task->cred;
	state = task->__state == 0 ? 'R' : 'S';
	BPF_SEQ_PRINTF(seq, "%-16s %8d %8d %5u %s %c\n", task->comm, task->tgid,
		       BPF_CORE_READ(task, real_parent, tgid), cred->uid.val,
		       (task->flags & PF_KTHREAD) ? "kthread" : "user", state);
	return 0;
}
