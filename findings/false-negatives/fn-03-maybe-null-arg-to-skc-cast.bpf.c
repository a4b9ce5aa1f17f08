/* False negative 03: passing ctx->sk_common (maybe NULL) straight to
 * bpf_skc_to_tcp_sock() is accepted by us; the kernel refuses it:
 * "R1 type=trusted_ptr_or_null_ expected=sock_common, sock, tcp_sock, xdp_sock,
 * ptr_, trusted_ptr_" (ARG_PTR_TO_BTF_ID_SOCK_COMMON without PTR_MAYBE_NULL).
 * clang 14 compiles; kernel: REJECTED.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int cwnd_no_null_check(struct bpf_iter__tcp *ctx)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(ctx->sk_common);

	if (tp)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", tp->snd_cwnd);
	return 0;
}
