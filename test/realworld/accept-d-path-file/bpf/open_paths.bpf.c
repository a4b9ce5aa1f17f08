// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Open files of every process with their paths, like `ls -l /proc/PID/fd`. The file comes from the
 * iterator's context, so &file->f_path is a trusted pointer and bpf_d_path() takes it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int open_paths(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	char path[128];

	if (!task || !file)
		return 0;
	if (bpf_d_path(&file->f_path, path, sizeof(path)) < 0)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %u %s\n", task->tgid, ctx->fd, path);
	return 0;
}
