// Must be rejected: a 512-byte frame stops clang -target bpf ("Looks like the BPF stack limit of 512 bytes is exceeded").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int fill_line(struct bpf_iter__bpf_map *ctx)
{
	char line[512];

	if (ctx->map)
		return 0;
	__builtin_memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	bpf_seq_write(ctx->meta->seq, line, sizeof(line));
	return 0;
}
