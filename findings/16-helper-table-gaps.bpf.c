/* Finding 16: many helpers the 6.18 kernel gives iterator programs are refused
 * by us as "not a helper known to the kernel" (BPF2011) or "not available to
 * iterator programs" (BPF2012).  Measured on this host, one helper per
 * iter/task program, kernel LOADED for every one, ours an error:
 *   BPF2011: task_storage_get#156, task_storage_delete#157, cgrp_storage_get,
 *     find_vma#180, ringbuf_reserve#131/discard#133, ringbuf_query#134,
 *     user_ringbuf_drain#209, get_current_cgroup_id#80,
 *     get_current_ancestor_cgroup_id#123, current_task_under_cgroup#37,
 *     get_ns_current_pid_tgid#120, get_branch_snapshot#176,
 *     send_signal_thread#117, get_stackid#27, dynptr_from_mem#197 (on a
 *     global buffer), strtol#105/strtoul#106 (finding 12), sk_storage_* (03),
 *     sock_from_file#162 (03b), get/setsockopt (04), per_cpu_ptr (13).
 *   BPF2012: get_stack#67 ("not available to iterator programs").
 * This file: a few of them in one program.
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: tracing_prog_func_proto() -> bpf_tracing_func_proto() ->
 * bpf_base_func_proto() (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c) serve
 * these for BPF_PROG_TYPE_TRACING, iterators included; the helper table
 * behind BPF2011/BPF2012 needs to be regenerated from those functions.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} visits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

__u64 stack_buf[8];

SEC("iter/task")
int task_visits(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 *n, *rec;

	if (!task)
		return 0;
	n = bpf_task_storage_get(&visits, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (n)
		*n += 1;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (rec) {
		*rec = bpf_get_current_cgroup_id();
		bpf_ringbuf_submit(rec, 0);
	}
	bpf_get_stack(ctx, stack_buf, sizeof(stack_buf), 0);
	return 0;
}
