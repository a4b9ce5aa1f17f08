// source: a byte copy that stops advancing its source at the terminating zero and so pads the rest, walking task->comm with a pointer stepped on some passes only (pattern of thediveo/beesy's task iterator, https://github.com/thediveo/beesy)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* copies n bytes; once src reaches its zero byte it stays there, so the rest of dst is zeros */
static void pad_copy(char *dst, const char *src, int n)
{
	while (n) {
		*dst = *src;
		if (*src)
			src++;
		dst++;
		n--;
	}
}

SEC("iter/task")
int comm_pad(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	char name[16];

	if (!task)
		return 0;
	pad_copy(name, task->comm, sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\n", task->pid, name);
	return 0;
}
