// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Each task's name as one line written with bpf_seq_write(). The length bpf_probe_read_kernel_str() returns is
 * checked with `len > 0 && len <= BUF`; clang 14 folds the two tests into one unsigned test of `len - 1`, made on a
 * zero-extended copy, so the verifier never learns that len itself is positive and refuses the write ("R3 min
 * value is negative, either use unsigned or 'var &= const'").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define BUF 128

SEC("iter/task")
int comm_lines(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	char buf[BUF];
	int len;

	if (!task)
		return 0;
	len = bpf_probe_read_kernel_str(buf, sizeof(buf), task->comm);
	if (len > 0 && len <= BUF) {
		buf[(len - 1) & (BUF - 1)] = '\n';
		bpf_seq_write(seq, buf, len);
	}
	return 0;
}
