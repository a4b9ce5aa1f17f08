/* False negative 04: bpf_d_path() on a path reached by walking pointers
 * (vma->vm_file->f_path, task->fs->pwd) is accepted by us; on 6.18 the kernel
 * refuses it: "R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_".
 * The selftest bpf_iter_task_vma.c version in the index (same construct) is
 * rejected on this host too.  clang 14 compiles; kernel: REJECTED.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

char path_buf[256];

SEC("iter/task_vma")
int vma_paths(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct file *f;

	if (!vma)
		return 0;
	f = vma->vm_file;
	if (!f)
		return 0;
	bpf_d_path(&f->f_path, path_buf, sizeof(path_buf));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", path_buf);
	return 0;
}
