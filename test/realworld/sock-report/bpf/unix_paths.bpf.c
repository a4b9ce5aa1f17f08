// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unix sockets with a filesystem or abstract name (what `ss -xl` shows), inode and state. */
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
	/* a constant size for the verifier; the name is cut at its length below */
	bpf_probe_read_kernel(name, sizeof(name) - 1, addr->name[0].sun_path);
	if (len < sizeof(name))
		name[len] = 0;
	else
		name[sizeof(name) - 1] = 0;
	if (name[0] == 0)
		name[0] = '@';
	BPF_SEQ_PRINTF(seq, "%s %s seq=%llu uid=%u\n", sk->sk_type == SOCK_STREAM ? "str" : "dgr", name,
		       ctx->meta->seq_num, ctx->uid);
	return 0;
}
