// source: bpftool's pid_iter and libbpf's BPF_SEQ_PRINTF (hand-built u64 argument arrays for bpf_seq_printf and bpf_snprintf); checked on Linux 6.18 with clang + bpftool iter pin in a pid namespace: the array filled in a loop is passed whole, 12 values print, 13 values load and each call returns -EINVAL (-22)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int thirteen_values(struct bpf_iter__task *ctx)
{
	static const char fmt12[] = "%s %d %d %d %d %d %d %d %d %d %d %d\n";
	static const char fmt13[] = "%s %d %d %d %d %d %d %d %d %d %d %d %d";
	struct task_struct *task = ctx->task;
	__u64 args[13];
	char out[64];
	long r12, r13, s13;
	int i;

	if (!task)
		return 0;
	args[0] = (__u64)task->comm;
	for (i = 1; i < 13; i++)
		args[i] = i * 10;
	r12 = bpf_seq_printf(ctx->meta->seq, fmt12, sizeof(fmt12), args, 12 * sizeof(__u64));
	r13 = bpf_seq_printf(ctx->meta->seq, fmt13, sizeof(fmt13), args, sizeof(args));
	s13 = bpf_snprintf(out, sizeof(out), fmt13, args, sizeof(args));
	BPF_SEQ_PRINTF(ctx->meta->seq, "r12=%ld r13=%ld snprintf13=%ld\n", r12, r13, s13);
	return 0;
}
