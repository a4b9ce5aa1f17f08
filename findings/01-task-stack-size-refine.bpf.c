/* Finding 01: the verifier bounds the return value of bpf_get_task_stack()
 * by the buffer size it was given; we do not.
 *
 * Construct: n = bpf_get_task_stack(task, buf, sizeof(buf), flags);
 *            if (n <= 0) return 0;  bpf_seq_write(seq, buf, n);
 *   (pattern of selftests progs/bpf_iter_task_stack.c get_task_user_stacks)
 * Ours:   error BPF2018 "Access outside .bss (... bytes). Verifier: invalid access
 *         to map value, value_size=... off=0 size=1073741824" on bpf_seq_write.
 * clang 14: compiles.  Kernel 6.18 (this host, bpftool prog loadall): LOADED.
 * Why ours is wrong: do_refine_retval_range() in kernel/bpf/verifier.c caps
 * R0 of get_stack/get_task_stack (and probe_read_str family) at
 * meta->msize_max_value (the size argument), so n is in [1, sizeof(buf)].
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 frames[32];

SEC("iter/task")
int user_frames(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	long got;

	if (!t)
		return 0;
	got = bpf_get_task_stack(t, frames, sizeof(frames), BPF_F_USER_STACK);
	if (got <= 0)
		return 0;
	bpf_seq_write(ctx->meta->seq, frames, got);
	return 0;
}
