/* Finding 18 (false WARNING): a loop whose condition is `k < 4 && p != end`
 * is said to have no exit condition comparing a counter with a bounded value.
 *
 * Construct: for (k = 0; k < 4 && h != &task->children; k++) h = h->next;
 * Ours:   warning BPF2027 "bpf-iter-lab cannot see what bounds this loop (no exit
 *         condition compares a loop counter with a bounded value); the verifier
 *         accepts it only if it reaches the exit within 1 million instructions".
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: `k < 4` is such a condition (one operand of &&); the
 * verifier walks at most 4 iterations. The message's claim is false.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int first_children(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct list_head *h;
	int k;

	if (!task)
		return 0;
	h = task->children.next;
	for (k = 0; k < 4 && h != &task->children; k++)
		h = h->next;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\n", task->pid, k);
	return 0;
}
