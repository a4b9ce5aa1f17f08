// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Process ancestry depth by bpf_loop(): the callback walks real_parent from a context struct of the program's
 * own. Reading the task out of that struct inside BPF_CORE_READ() makes clang relocate the access to the local
 * struct walk_ctx too; no kernel type has that name, libbpf poisons the instruction and the load fails.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_ARGS_BYTES 256

struct walk_ctx {
	struct seq_file *seq;
	struct task_struct *task;
	__u32 depth;
	__u32 last_pid;
};

static long visit_parent(__u32 idx, struct walk_ctx *w)
{
	struct task_struct *p;

	

	p = BPF_CORE_READ(w->task, real_parent);
	if (!p)
		return 1;
	w->task = p;
	w->depth++;
	w->last_pid = BPF_CORE_READ(p, pid);
	if (w->last_pid <= 1)
		return 1;
	return 0;
}

SEC("iter/task")
int ancestry(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct walk_ctx w = {};
	char comm[TASK_COMM_LEN];

	if (!task || task->pid != task->tgid)
		return 0;
	w.seq = ctx->meta->seq;
	w.task = task;
	bpf_loop(32, visit_parent, &w, 0);
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	BPF_SEQ_PRINTF(w.seq, "%-16s pid=%d depth=%u top=%u\n", comm, task->pid, w.depth, w.last_pid);
	return 0;
}
