/* Finding 05: a NULL test on the value of a GNU statement expression
 * `({ ...; p; })` does not clear the NULL-ness of the variable p it yields.
 *
 * Construct: if (!({ tp = bpf_skc_to_tcp_sock(skc); tp; })) return 0;  tp->...
 *   (pattern of selftests bpf_iter_setsockopt.c: its bpf_tcp_sk() macro is a
 *   statement expression that sets tp and sk and yields tp; the caller writes
 *   `if (!bpf_tcp_sk(ctx->sk_common)) return 0;` and then reads sk->...)
 * Ours:   error BPF2001 "the result of bpf_skc_to_tcp_sock may be NULL here and the
 *         verifier rejects dereferencing it: check it against NULL first.
 *         Verifier: R? invalid mem access 'ptr_or_null_'" on tp->snd_cwnd
 *         (and on every sk->... in the selftest).  The same code with a plain
 *         `tp = ...; if (!tp) return 0;` is accepted.
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the statement expression's value is the same register as
 * tp (a copy shares the maybe-NULL id); mark_ptr_or_null_regs() in
 * kernel/bpf/verifier.c clears every register and stack slot with that id when
 * one copy is tested. Our result temporary for ({...}) seems not to be linked.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int cwnd_dump(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	if (!({ tp = bpf_skc_to_tcp_sock(skc); tp; }))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", tp->snd_cwnd);
	return 0;
}
