// source: the open-coded bits iterator over a word of the task, after the pattern of the kernel's bpf_iter_bits kfuncs (kernel/bpf/helpers.c, https://github.com/torvalds/linux/blob/master/kernel/bpf/helpers.c); checked on Linux 6.18 with clang + bpftool iter pin + cat in a new pid namespace, whose first process (sh) was forked and has exit_signal 17

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __weak __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __weak __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __weak __ksym;

SEC("iter/task")
int exit_signal_bits(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_bits it;
	__u64 word;
	int *bit, n = 0;

	if (!task)
		return 0;
	word = task->exit_signal & 0xff;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s exit_signal=%d bits:", task->comm, task->exit_signal);
	bpf_iter_bits_new(&it, &word, 1);
	while ((bit = bpf_iter_bits_next(&it))) {
		BPF_SEQ_PRINTF(ctx->meta->seq, " %d", *bit);
		n++;
	}
	bpf_iter_bits_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, " (%d)\n", n);
	return 0;
}
