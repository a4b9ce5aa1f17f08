// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unix socket names, the length clamped by a comparison: clang 14 moves the clamp so that the verifier sees
 * a length that may be negative ("R2 min value is negative") and refuses the program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_UNIX 1
#define SOCK_STREAM 1

SEC("iter/unix")
int unix_paths(struct bpf_iter__unix *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct unix_sock *unix_sk = ctx->unix_sk;
	struct unix_address *addr;
	struct sock *sk;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned int len;

	if (!unix_sk)
		return 0;
	sk = &unix_sk->sk;
	addr = unix_sk->addr;
	if (!addr)
		return 0;
	if (addr->len <= sizeof(short))
		return 0;
	len = addr->len - sizeof(short);
	if (len > sizeof(name) - 1)
		len = sizeof(name) - 1;
	__builtin_memset(name, 0, sizeof(name));
	bpf_probe_read_kernel(name, len & 0x7f, addr->name[0].sun_path);
	if (name[0] == 0)
		name[0] = '@';
	BPF_SEQ_PRINTF(seq, "%s %s %lu uid=%u\n", sk->sk_type == SOCK_STREAM ? "str" : "dgr", name,
		       (unsigned long)sk->sk_socket, ctx->uid);
	return 0;
}
