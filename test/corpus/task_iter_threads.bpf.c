// The open-coded task iterator (bpf_iter_task_new/next/destroy): from each process the iter/task target visits, its
// threads (BPF_TASK_ITER_PROC_THREADS); at the first call, the whole machine once from init_task (ALL_PROCS in the
// order of the tasks list, which is fork order, and ALL_THREADS).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;

#define PF_KTHREAD 0x00200000

SEC("iter/task")
int threads(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_task it;
	int procs = 0, kthreads = 0, threads = 0;

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0) {
		BPF_SEQ_PRINTF(seq, "tasks list:");
		bpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);
		while ((t = bpf_iter_task_next(&it))) {
			BPF_SEQ_PRINTF(seq, " %d", t->pid);
			procs++;
			if (t->flags & PF_KTHREAD)
				kthreads++;
		}
		bpf_iter_task_destroy(&it);
		bpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_THREADS);
		while ((t = bpf_iter_task_next(&it)))
			threads++;
		bpf_iter_task_destroy(&it);
		BPF_SEQ_PRINTF(seq, "\n%d processes (%d kernel threads, init_task among them), %d threads\n", procs, kthreads, threads);
	}
	if (task->pid != task->tgid)
		return 0;
	BPF_SEQ_PRINTF(seq, "%-6d %-16s", task->pid, task->comm);
	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		BPF_SEQ_PRINTF(seq, " %d", t->pid);
	bpf_iter_task_destroy(&it);
	BPF_SEQ_PRINTF(seq, "\n");
	return 0;
}
