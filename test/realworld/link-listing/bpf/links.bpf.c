// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Link inventory: every BPF link with its type and the program behind it, the way link listings in
 * observability agents read iter/bpf_link instead of walking BPF_LINK_GET_NEXT_ID from user space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static const char *link_kind(enum bpf_link_type type)
{
	switch (type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT: return "raw_tp";
	case BPF_LINK_TYPE_TRACING: return "tracing";
	case BPF_LINK_TYPE_CGROUP: return "cgroup";
	case BPF_LINK_TYPE_ITER: return "iter";
	case BPF_LINK_TYPE_XDP: return "xdp";
	case BPF_LINK_TYPE_PERF_EVENT: return "perf_event";
	case BPF_LINK_TYPE_TCX: return "tcx";
	default: return "?";
	}
}

SEC("iter/bpf_link")
int dump_links(struct bpf_iter__bpf_link *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_link *link = ctx->link;
	struct bpf_prog *prog;

	if (!link)
		return 0;
	prog = link->prog;
	BPF_SEQ_PRINTF(seq, "link %u: %s attach_type %u", link->id, link_kind(link->type), link->attach_type);
	if (prog)
		BPF_SEQ_PRINTF(seq, " prog %u (%s)", prog->aux->id, prog->aux->name);
	BPF_SEQ_PRINTF(seq, "\n");
	return 0;
}
