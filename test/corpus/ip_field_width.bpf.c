// %pI4 / %pi4 honour the field width like %s does (lib/vsprintf.c widen_string()).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u8 addr[4] = { 10, 0, 0, 1 };

SEC("iter/bpf_map")
int show_addr(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;

	if (ctx->map)
		return 0;
	BPF_SEQ_PRINTF(seq, "[%-15pI4][%15pI4][%pI4]\n", addr, addr, addr);
	BPF_SEQ_PRINTF(seq, "[%-16pi4][%pi4]\n", addr, addr);
	return 0;
}
