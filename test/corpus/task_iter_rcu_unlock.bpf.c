// A sleepable task iterator that opens an RCU section for its task walk, but ends the section before it destroys
// the iterator: bpf_rcu_read_unlock() leaves the iterator unusable, and the verifier refuses the destroy (EPROTO).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("iter.s/task")
int count_threads(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_task it;
	int n = 0;

	if (!task || task->pid != task->tgid)
		return 0;
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		n++;
	bpf_rcu_read_unlock();
	bpf_iter_task_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\n", task->pid, n);
	return 0;
}
