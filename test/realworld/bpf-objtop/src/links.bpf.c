// SPDX-License-Identifier: GPL-2.0 OR MIT
/* BPF links with their type name and the program they hold, and a separate program listing the
 * programs: one object, two iterators, pinned side by side by the tool. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline const char *link_type_name(enum bpf_link_type t)
{
	switch (t) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_LINK_TYPE_TRACING: return "tracing";
	case BPF_LINK_TYPE_CGROUP: return "cgroup";
	case BPF_LINK_TYPE_ITER: return "iter";
	case BPF_LINK_TYPE_NETNS: return "netns";
	case BPF_LINK_TYPE_XDP: return "xdp";
	case BPF_LINK_TYPE_PERF_EVENT: return "perf_event";
	case BPF_LINK_TYPE_KPROBE_MULTI: return "kprobe_multi";
	default: return "other";
	}
}

SEC("iter/bpf_link")
int list_links(struct bpf_iter__bpf_link *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_link *link = ctx->link;
	struct bpf_prog *prog;

	if (!link)
		return 0;
	prog = link->prog;
	BPF_SEQ_PRINTF(seq, "link %u %s prog %u %s\n", link->id, link_type_name(link->type),
		       prog ? prog->aux->id : 0, prog ? prog->aux->name : "-");
	return 0;
}

SEC("iter/bpf_prog")
int list_progs(struct bpf_iter__bpf_prog *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_prog *prog = ctx->prog;
	struct bpf_prog_aux *aux;
	const char *attach = "-";

	if (!prog)
		return 0;
	aux = prog->aux;
	if (bpf_core_field_exists(aux->attach_func_name) && aux->attach_func_name)
		attach = aux->attach_func_name;
	BPF_SEQ_PRINTF(seq, "prog %u type %d jited %u len %u %s attach=%s\n", aux->id, prog->type, prog->jited,
		       prog->len, aux->name, attach);
	return 0;
}
