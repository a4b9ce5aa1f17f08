// source: the open-coded css_task iterator over the tasks of a task's own cgroup, after the pattern of the kernel's BPF test program iters_css_task.c (bpf_for_each(css_task, ...) from an acquired cgroup's css) and the cgroup readers of inspektor-gadget; checked on Linux 6.18 with clang + bpftool iter pin + cat

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

/* CSS_TASK_ITER_PROCS: thread-group leaders only */
#define PROCS_ONLY 1

SEC("iter/task")
int cgroup_peers(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *peer;
	struct bpf_iter_css_task it;
	struct cgroup *cg;
	int procs = 0, threads = 0;

	if (!task || task->pid != task->tgid)
		return 0;
	cg = bpf_cgroup_from_id(task->cgroups->dfl_cgrp->kn->id);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, PROCS_ONLY);
	while ((peer = bpf_iter_css_task_next(&it)))
		procs++;
	bpf_iter_css_task_destroy(&it);
	bpf_iter_css_task_new(&it, &cg->self, 0);
	while ((peer = bpf_iter_css_task_next(&it)))
		threads++;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%-8s cgroup=%s level=%d procs=%d threads=%d\n", task->comm,
		task->cgroups->dfl_cgrp->level ? (const char *)task->cgroups->dfl_cgrp->kn->name : "/", task->cgroups->dfl_cgrp->level,
		procs, threads);
	return 0;
}
