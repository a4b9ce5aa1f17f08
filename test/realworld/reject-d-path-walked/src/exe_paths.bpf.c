// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Executable path of every process, for a process inventory. The path is taken from the task's mm
 * (task->mm->exe_file->f_path): a pointer read out of a kernel struct, which the verifier no longer
 * trusts, so bpf_d_path() refuses it ("R1 type=untrusted_ptr_") and the object does not load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define PATH_MAX_SHOWN 256

SEC("iter/task")
int exe_paths(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	char path[PATH_MAX_SHOWN];
	struct file *exe;
	long len;

	if (!task || task->pid != task->tgid || !task->mm)
		return 0;
	exe = task->mm->exe_file;
	if (!exe)
		return 0;
	len = bpf_d_path(&exe->f_path, path, sizeof(path));
	if (len < 0)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\n", task->tgid, path);
	return 0;
}
