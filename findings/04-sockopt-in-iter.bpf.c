/* Finding 04: bpf_setsockopt()/bpf_getsockopt() are refused in socket iterators.
 *
 * Construct: bpf_getsockopt(unix_sk, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) in
 *   SEC("iter/unix") (pattern of selftests bpf_iter_setsockopt_unix.c; also
 *   bpf_iter_setsockopt.c on iter/tcp, bpftune's tcp_conn_tuner iter).
 * Ours:   error BPF2011 "bpf_getsockopt is not a helper known to the kernel.
 *         Verifier: unknown func bpf_getsockopt#57" (and #49 for setsockopt).
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: for BPF_TRACE_ITER, tracing_prog_func_proto() returns
 * bpf_sk_setsockopt_proto / bpf_sk_getsockopt_proto (net/core/filter.c,
 * "bpf_sk_{set,get}sockopt for iterators", arg1 is a BTF socket pointer).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define SOL_SOCKET 1
#define SO_SNDBUF 7

int sndbuf_seen;

SEC("iter/unix")
int read_sndbuf(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	int v = 0;

	if (!u)
		return 0;
	if (bpf_getsockopt(u, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0)
		sndbuf_seen = v;
	return 0;
}
