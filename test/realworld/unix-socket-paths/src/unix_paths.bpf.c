// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * /proc/net/unix in BPF: each unix socket with its refcount, flags, type, state, inode and bound path. An
 * abstract name (a leading NUL) is copied byte by byte into a buffer, its NULs shown as @, then terminated at the
 * index the copy stopped at: the verifier walks the copy loop pass by pass, so that index keeps its bound.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define UNIX_PATH_MAX 108
#define __SO_ACCEPTCON (1 << 16)
#define SOCK_STREAM 1

static char path_buf[UNIX_PATH_MAX + 2];

SEC("iter/unix")
int dump_unix(struct bpf_iter__unix *ctx)
{
	struct unix_sock *unix_sk = ctx->unix_sk;
	struct sock *sk = (struct sock *)unix_sk;
	struct seq_file *seq;
	__u64 seq_num;
	struct unix_address *addr;
	int i, len;

	if (!unix_sk)
		return 0;

	seq = ctx->meta->seq;
	seq_num = ctx->meta->seq_num;
	if (seq_num == 0)
		BPF_SEQ_PRINTF(seq, "Num       RefCount Protocol Flags    Type St    Inode Path\n");

	BPF_SEQ_PRINTF(seq, "%pK: %08X %08X %08X %04X %02X %8lu",
		       unix_sk,
		       sk->__sk_common.skc_refcnt.refs.counter,
		       0,
		       sk->__sk_common.skc_state == 10 ? __SO_ACCEPTCON : 0,
		       sk->sk_type,
		       sk->sk_socket ?
		       (sk->__sk_common.skc_state == 1 ? 3 : 4) :
		       (sk->__sk_common.skc_state == 1 ? 3 : 2),
		       BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino));

	addr = unix_sk->addr;
	if (addr) {
		len = addr->len - sizeof(short);
		if (len <= 0 || len > UNIX_PATH_MAX)
			goto out;
		if (addr->name->sun_path[0]) {
			BPF_SEQ_PRINTF(seq, " %s", addr->name->sun_path);
		} else {
			path_buf[0] = '@';
			for (i = 1; i < UNIX_PATH_MAX && i < len; i++)
				path_buf[i] = addr->name->sun_path[i] ? addr->name->sun_path[i] : '@';
			path_buf[i] = 0;
			BPF_SEQ_PRINTF(seq, " %s", path_buf);
		}
	}
out:
	BPF_SEQ_PRINTF(seq, "\n");
	return 0;
}
