// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Command lines of user processes, read from their own memory by a sleepable task iterator
 * (what `ps -o args` shows): mm->arg_start..arg_end through bpf_copy_from_user_task. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define ARGS_MAX 128

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[ARGS_MAX]);
} args_buf SEC(".maps");

SEC("iter.s/task")
int task_args(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct mm_struct *mm;
	unsigned long start, len;
	__u32 zero = 0;
	char *buf;
	long err;
	int i;

	if (!task || task->pid != task->tgid)
		return 0;
	mm = task->mm;
	if (!mm)
		return 0;
	buf = bpf_map_lookup_elem(&args_buf, &zero);
	if (!buf)
		return 0;
	start = mm->arg_start;
	len = mm->arg_end - start;
	if (len > ARGS_MAX - 1)
		len = ARGS_MAX - 1;
	err = bpf_copy_from_user_task(buf, len & (ARGS_MAX - 1), (void *)start, task, 0);
	if (err) {
		BPF_SEQ_PRINTF(seq, "%d [%s] err=%ld\n", task->tgid, task->comm, err);
		return 0;
	}
	buf[ARGS_MAX - 1] = 0;
	/* arguments are NUL separated: show them with spaces */
	for (i = 0; i < ARGS_MAX - 1; i++) {
		if ((unsigned long)i + 1 >= len)
			break;
		if (buf[i] == 0)
			buf[i] = ' ';
	}
	BPF_SEQ_PRINTF(seq, "%d %s\n", task->tgid, buf);
	return 0;
}
