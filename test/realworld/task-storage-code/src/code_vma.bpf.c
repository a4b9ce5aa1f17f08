// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Where each process's code is mapped, found with bpf_find_vma() at mm->start_code, and how many times the
 * iterator saw each task, counted in task local storage.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define VM_EXEC 0x00000004

struct vma_info {
	__u64 start;
	__u64 end;
	__u64 flags;
	bool file_backed;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} seen_tasks SEC(".maps");

static long on_vma(struct task_struct *task, struct vm_area_struct *vma, struct vma_info *out)
{
	out->start = vma->vm_start;
	out->end = vma->vm_end;
	out->flags = vma->vm_flags;
	out->file_backed = vma->vm_file != NULL;
	return 0;
}

SEC("iter/task")
int code_vma(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct vma_info info = {};
	struct mm_struct *mm;
	__u64 *visits;
	unsigned long addr;
	long err;

	if (!task)
		return 0;
	mm = task->mm;
	if (!mm)
		return 0;
	visits = bpf_task_storage_get(&seen_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (visits)
		(*visits)++;
	addr = mm->start_code;
	err = bpf_find_vma(task, addr, on_vma, &info, 0);
	if (err)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %lx-%lx %s%s\n", task->pid, info.start, info.end,
		       info.flags & VM_EXEC ? "x" : "-", info.file_backed ? " file" : "");
	return 0;
}
