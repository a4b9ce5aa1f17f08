// A process lister in the style of ps-like task iterators: uid and euid read as kuid_t values and the thread
// group's live count as an atomic_t, each through BPF_CORE_READ() of a struct-valued member.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int list_processes(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	kuid_t uid, euid;
	atomic_t live;
	int threads;

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-7s %-7s %-5s %-5s %-4s %s\n", "PID", "TGID", "UID", "EUID", "LIVE", "COMM");
	uid = BPF_CORE_READ(task, real_cred, uid);
	euid = BPF_CORE_READ(task, cred, euid);
	live = BPF_CORE_READ(task, signal, live);
	threads = BPF_CORE_READ(task, signal, nr_threads);
	if (live.counter != threads)
		return 0;
	BPF_SEQ_PRINTF(seq, "%-7d %-7d %-5u %-5u %-4d %s\n", task->pid, task->tgid, uid.val, euid.val, live.counter, task->comm);
	return 0;
}
