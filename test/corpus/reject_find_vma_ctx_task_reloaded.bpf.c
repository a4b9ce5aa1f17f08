// source: a task_vma walker that measures each area again with bpf_find_vma(ctx->task, ...), after the pattern of iter/task_vma collectors in small tracing projects (VMA walkers with a callback) over the Linux kernel's bpf_find_vma() helper, https://github.com/torvalds/linux/blob/master/kernel/bpf/task_iter.c

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
	struct vm_area_struct *vma = ctx->vma;
	struct area a = {};

	if (!ctx->task || !vma)
		return 0;
	/* ctx->task is loaded again here (vmlinux.h's ctx struct is preserve_access_index): maybe NULL once more */
	bpf_find_vma(ctx->task, vma->vm_start, measure, &a, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "found=%d pages=%lu\n", a.found, a.pages);
	return 0;
}
