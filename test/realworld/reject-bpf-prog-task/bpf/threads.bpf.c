// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Thread listing for a process monitor, written with libbpf's BPF_PROG() as the project's tracing programs are.
 * BPF_PROG() reads the arguments as ctx[0], ctx[1]: the verifier still knows ctx[1] is the task pointer, NULL on
 * the iterator's last call, and this program dereferences it without a check, so the load is refused.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int BPF_PROG(list_threads, struct bpf_iter_meta *meta, struct task_struct *task)
{
	if (task->tgid == task->pid)
		return 0;
	BPF_SEQ_PRINTF(meta->seq, "%-8d %-8d %s\n", task->tgid, task->pid, task->comm);
	return 0;
}
