/* Finding 19: bpf_get_socket_cookie() on a socket pointer is refused in
 * iterator programs as "not available to iterator programs".
 *
 * Construct: c = bpf_get_socket_cookie(ctx->sk_common) in SEC("iter/tcp")
 *   (pattern of the kernel's sock_destroy selftests and of socket-abort tools:
 *   compare the cookie, then bpf_sock_destroy())
 * Ours:   error BPF2012 "bpf_get_socket_cookie is not available to iterator
 *         programs (BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER). Verifier: program of
 *         this type cannot use helper bpf_get_socket_cookie#46".
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: for tracing programs tracing_prog_func_proto() returns
 * bpf_get_socket_ptr_cookie_proto (arg: ARG_PTR_TO_BTF_ID_SOCK_COMMON) for
 * BPF_FUNC_get_socket_cookie (net/core/filter.c + kernel/trace/bpf_trace.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int tcp_cookies(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	__u64 cookie;

	if (!skc)
		return 0;
	cookie = bpf_get_socket_cookie(skc);
	bpf_seq_write(ctx->meta->seq, &cookie, sizeof(cookie));
	return 0;
}
