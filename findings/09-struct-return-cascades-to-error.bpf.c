/* Finding 09: a function returning a struct by value gets the simulator's
 * "cannot simulate" warning AND a false verifier error on the same call.
 *
 * Construct: static __always_inline struct pair make(...) { struct pair r = {}; ...; return r; }
 *            struct pair v = make(skc);
 *   (pattern of OBI's iter/tcp obi_iter_tcp: accepting_port_from_skc())
 * Ours:   warning BPF1390 "bpf-iter-lab cannot simulate a struct-valued expression
 *         here yet" (fine: a limitation) plus
 *         error BPF2022 "NULL is not a pointer the verifier knows. Verifier: R?
 *         invalid mem access 'scalar'" on the call.
 * clang 14: compiles (always_inline: no BPF-to-BPF call at all).
 * Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the brief's own rule: a construct the simulator cannot run
 * is a warning, never an error; the error is a consequence of the unsimulated
 * value, not of anything the verifier would see.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct port_pair {
	__u16 local;
	__u16 remote;
};

static __always_inline struct port_pair ports_of(struct sock_common *skc)
{
	struct port_pair r = {};

	r.local = BPF_CORE_READ(skc, skc_num);
	r.remote = BPF_CORE_READ(skc, skc_dport);
	return r;
}

SEC("iter/tcp")
int print_ports(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct port_pair pp;

	if (!skc)
		return 0;
	pp = ports_of(skc);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\n", pp.local, pp.remote);
	return 0;
}
