// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Executable mappings of one process (or of all), /proc/PID/maps style, for a symbolizer that
 * needs each text mapping's start, end, file offset and file name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define VM_READ  0x00000001
#define VM_WRITE 0x00000002
#define VM_EXEC  0x00000004
#define VM_MAYSHARE 0x00000080
#define PAGE_SHIFT 12

const volatile pid_t target_tgid = 0;

static char path[64];

SEC("iter/task_vma")
int text_maps(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct file *file;
	char perms[5] = "----";
	__u64 off;

	if (!task || !vma)
		return 0;
	if (target_tgid && task->tgid != target_tgid)
		return 0;
	if (!(vma->vm_flags & VM_EXEC))
		return 0;
	if (vma->vm_flags & VM_READ)
		perms[0] = 'r';
	if (vma->vm_flags & VM_WRITE)
		perms[1] = 'w';
	perms[2] = 'x';
	perms[3] = (vma->vm_flags & VM_MAYSHARE) ? 's' : 'p';
	off = (__u64)vma->vm_pgoff << PAGE_SHIFT;
	file = vma->vm_file;
	if (file) {
		bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	} else {
		__builtin_memcpy(path, "[anon]", 7);
	}
	BPF_SEQ_PRINTF(seq, "%d %lx-%lx %s %08llx %s\n", task->tgid, vma->vm_start, vma->vm_end, perms, off, path);
	return 0;
}
