/* Finding 15 (false WARNING, cascade): BPF_CORE_READ_BITFIELD() gets the
 * legitimate "cannot simulate inline assembly" warning and, on top, a false
 * "used before it is assigned" warning.
 *
 * Construct: v = BPF_CORE_READ_BITFIELD(task, in_execve);  (bpf_core_read.h; the
 *   macro keeps `val` alive with an empty asm volatile("" : "=r"(val) : "0"(val)))
 *   (used by selftests bpf_tracing_net.h tcp_is_cwnd_limited and many tools)
 * Ours:   warning BPF1390 "bpf-iter-lab cannot simulate inline assembly yet" (ok)
 *         warning BPF2016 "val is used before it is assigned on some path; clang
 *         may leave the register unset. Verifier: R? !read_ok" (false).
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: val is assigned from the CO-RE load on every path before
 * the asm; the asm's "0"(val) input ties the same register. The BPF2016 claim
 * comes from not modelling the asm, which should only give the BPF1390 note.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int execing_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	if (BPF_CORE_READ_BITFIELD(task, in_execve))
		BPF_SEQ_PRINTF(ctx->meta->seq, "%d\n", task->pid);
	return 0;
}
