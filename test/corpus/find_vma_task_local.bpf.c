// source: the same task_vma walker with the task kept in a checked local, which bpf_find_vma() takes (the way VMA walkers built on the Linux kernel's bpf_find_vma() helper pass a task they checked), https://github.com/torvalds/linux/blob/master/kernel/bpf/task_iter.c

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct area { unsigned long pages; int found; };

static long measure(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct area *a = data;

	a->pages = (vma->vm_end - vma->vm_start) >> 12;
	a->found = 1;
	return 0;
}

SEC("iter/task_vma")
int remeasure(struct bpf_iter__task_vma *ctx)
{
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct area a = {};
	long err;

	if (!task || !vma)
		return 0;
	err = bpf_find_vma(task, vma->vm_start + 4096, measure, &a, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s err=%ld found=%d pages=%lu\n", task->comm, err, a.found, a.pages);
	return 0;
}
