/* Finding 20: common kfuncs are refused as "not a helper known to the kernel".
 *
 * Construct: extern struct task_struct *bpf_task_acquire(struct task_struct *) __ksym;
 *            a = bpf_task_acquire(task); if (a) { ...; bpf_task_release(a); }
 *            bpf_rcu_read_lock(); ... bpf_rcu_read_unlock();
 *   Measured one per iter/task program on this host, kernel LOADED for all:
 *   bpf_task_acquire/bpf_task_release, bpf_task_from_pid, bpf_cgroup_from_id/
 *   bpf_cgroup_release, bpf_rcu_read_lock/unlock, bpf_cpumask_create/
 *   bpf_cpumask_release/bpf_cpumask_weight (also on task->cpus_ptr).
 *   (bpf_iter_num_* and bpf_sock_destroy are accepted by us.)
 * Ours:   error BPF2011 "bpf_task_acquire is not a helper known to the kernel.
 *         Verifier: unknown func ..." (one per kfunc call).
 * clang 14: compiles (calls with BPF_PSEUDO_KFUNC_CALL relocations).
 * Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: these are kfuncs in the generic/common kfunc sets
 * (kernel/bpf/helpers.c generic_btf_ids/common_btf_ids, kernel/bpf/cpumask.c)
 * registered for BPF_PROG_TYPE_TRACING, so iterator programs may call them;
 * check_kfunc_call() accepts them (with KF_ACQUIRE/KF_RELEASE/KF_RET_NULL
 * reference tracking), not check_helper_call().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

long parent_pid_sum;

SEC("iter/task")
int hold_and_walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct task_struct *held, *parent;

	if (!task)
		return 0;
	held = bpf_task_acquire(task);
	if (!held)
		return 0;
	bpf_rcu_read_lock();
	parent = held->real_parent;
	if (parent)
		parent_pid_sum += parent->pid;
	bpf_rcu_read_unlock();
	bpf_task_release(held);
	return 0;
}
