// source: a NULL check remembered by an error code, `claim = scratch ? claim_task(task) : -EACCES; if (claim) return 0;` then the pointer used unchecked (pattern of Ereborlabs/erebor-runtime's task iterator, https://github.com/Ereborlabs/erebor-runtime)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static int wanted(struct task_struct *task)
{
	return task->pid > 1 ? 0 : 1;
}

SEC("iter/task")
int err_code(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 pid;
	__u64 one = 1, *count;
	int err = 0, skip;

	if (!task)
		return 0;
	pid = task->pid;
	bpf_map_update_elem(&seen, &pid, &one, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&seen, &pid);
	if (!count)
		err = -12;
	if (err)
		return 0;
	skip = count ? wanted(task) : -13;
	if (skip)
		return 0;
	*count += 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %llu\n", pid, *count);
	return 0;
}
