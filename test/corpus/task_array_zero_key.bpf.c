// source: a one-element array read with a zero key on the stack (the pattern of the per-CPU scratch lookup of Ereborlabs/erebor-runtime, https://github.com/Ereborlabs/erebor-runtime), here without the NULL check, which Linux 6.18 no longer requires (get_constant_map_key(); measured with clang 14 + bpftool iter pin)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} total SEC(".maps");

SEC("iter/task")
int zero_key(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 zero = 0;
	__u64 *sum = bpf_map_lookup_elem(&total, &zero);

	if (!task)
		return 0;
	*sum += 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %llu\n", task->pid, *sum);
	return 0;
}
