/* Finding 03b: the smallest form of finding 03, without an sk_storage map
 * (which this host may refuse to create): bpf_sock_from_file() alone.
 * Ours:   error BPF2011 "bpf_sock_from_file is not a helper known to the kernel".
 * clang 14: compiles.  Kernel 6.18 (this host): see README.
 * Why ours is wrong: tracing_prog_func_proto() returns bpf_sock_from_file_proto
 * for BPF_FUNC_sock_from_file for every tracing program, iterators included.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int count_socket_fds(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct socket *sock;

	if (!file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (sock)
		BPF_SEQ_PRINTF(ctx->meta->seq, "fd %u is a socket of type %d\n",
			       ctx->fd, sock->type);
	return 0;
}
