// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A /proc/PID/maps for every process at once: address range, permissions and the mapped file,
 * as memory profilers read it from a pinned iter/task_vma. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8

SEC("iter/task_vma")
int vma_map(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct file *file;
	char perm[5] = "----";

	if (!task || !vma)
		return 0;
	if (vma->vm_flags & VM_READ)
		perm[0] = 'r';
	if (vma->vm_flags & VM_WRITE)
		perm[1] = 'w';
	if (vma->vm_flags & VM_EXEC)
		perm[2] = 'x';
	perm[3] = (vma->vm_flags & VM_SHARED) ? 's' : 'p';
	file = vma->vm_file;
	BPF_SEQ_PRINTF(seq, "%d %08lx-%08lx %s %08lx ", task->tgid, vma->vm_start, vma->vm_end, perm, vma->vm_pgoff << 12);
	if (file)
		BPF_SEQ_PRINTF(seq, "%s\n", file->f_path.dentry->d_name.name);
	else
		BPF_SEQ_PRINTF(seq, "\n");
	return 0;
}
