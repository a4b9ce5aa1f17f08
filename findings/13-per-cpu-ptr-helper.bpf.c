/* Finding 13 (kernel verdict not measurable here): bpf_per_cpu_ptr() is
 * refused as an unknown helper.
 *
 * Construct: rq = bpf_per_cpu_ptr(&runqueues, cpu) with
 *            extern const struct rq runqueues __ksym;  in SEC("iter/task")
 *   (pattern of selftests iter/cgroup cpumask tests and many tools)
 * Ours:   error BPF2011 "bpf_per_cpu_ptr is not a helper known to the kernel.
 *         Verifier: unknown func bpf_per_cpu_ptr#153".
 * clang 14: compiles.  Kernel 6.18 (this host): not measurable: libbpf cannot
 *         resolve the ksym ("ldimm64 failed to find the address for kernel
 *         symbol 'runqueues'": this host's /proc/kallsyms lists no per-CPU data
 *         symbols).  Presumed to load.
 * Why ours is wrong: bpf_per_cpu_ptr_proto / bpf_this_cpu_ptr_proto are in
 * bpf_base_func_proto() (kernel/bpf/helpers.c, CAP_PERFMON part), reachable
 * from tracing_prog_func_proto() for iterator programs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern const struct rq runqueues __ksym;

SEC("iter/task")
int cpu0_nr_running(struct bpf_iter__task *ctx)
{
	struct rq *rq;

	if (ctx->meta->seq_num != 0 || !ctx->task)
		return 0;
	rq = bpf_per_cpu_ptr(&runqueues, 0);
	if (rq)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", rq->nr_running);
	return 0;
}
