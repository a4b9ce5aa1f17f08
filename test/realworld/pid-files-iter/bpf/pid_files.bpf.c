// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Which processes hold which files: the pattern of bpftool's pid iterator (it records, for every
 * open BPF object fd, the owning pid and comm), here for every file so the tool can find who holds
 * a path open. One line per fd; threads sharing their leader's file table are not repeated. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int pid_files(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	const unsigned char *name;

	if (!task || !file)
		return 0;
	name = file->f_path.dentry->d_name.name;
	BPF_SEQ_PRINTF(seq, "%d %s fd=%u mode=%x %s\n", task->tgid, task->comm, ctx->fd, file->f_mode & 3, name);
	return 0;
}
