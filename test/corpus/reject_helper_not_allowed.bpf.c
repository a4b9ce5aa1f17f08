// Must be rejected: bpf_trace_printk-only helpers such as bpf_get_current_pid_tgid are fine, but bpf_skb_load_bytes is not allowed for tracing programs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int skb_helper(struct bpf_iter__bpf_map *ctx)
{
	char buf[4];

	if (!ctx->map)
		return 0;
	bpf_skb_load_bytes(ctx, 0, buf, sizeof(buf));
	return 0;
}
