/* Finding 03: bpf_sk_storage_get() / bpf_sk_storage_delete() are refused as
 * "not a helper known to the kernel" in iterator programs.
 *
 * Construct: v = bpf_sk_storage_get(&m, ctx->sk_common, 0, 0) in SEC("iter/tcp")
 *   (pattern of selftests bpf_iter_bpf_sk_storage_helpers.c
 *   negate_socket_local_storage / delete_bpf_sk_storage_map)
 * Ours:   error BPF2011 "bpf_sk_storage_get is not a helper known to the kernel.
 *         Verifier: unknown func bpf_sk_storage_get#107" (#108 for delete).
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED (see README).
 * Why ours is wrong: tracing_prog_func_proto() (kernel/trace/bpf_trace.c) gives
 * BPF_PROG_TYPE_TRACING bpf_sk_storage_get/delete_tracing_proto, whose
 * .allowed = bpf_sk_storage_tracing_allowed() returns true for
 * expected_attach_type BPF_TRACE_ITER (net/core/bpf_sk_storage.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __s32);
} sock_mark SEC(".maps");

SEC("iter/tcp")
int flip_sock_mark(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	__s32 *mark;

	if (!skc)
		return 0;
	mark = bpf_sk_storage_get(&sock_mark, skc, 0, 0);
	if (!mark)
		return 0;
	if (*mark < 0)
		bpf_sk_storage_delete(&sock_mark, skc);
	else
		*mark = -*mark;
	return 0;
}
