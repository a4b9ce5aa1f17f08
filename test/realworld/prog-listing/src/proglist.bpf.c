// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A `bpftool prog list`-like table read from a pinned iter/bpf_prog: one row per loaded program by id,
 * the loader's own program included, and a count in the final call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static const char *type_name(__u32 type)
{
	switch (type) {
	case BPF_PROG_TYPE_SCHED_CLS: return "sched_cls";
	case BPF_PROG_TYPE_XDP: return "xdp";
	case BPF_PROG_TYPE_CGROUP_SKB: return "cgroup_skb";
	case BPF_PROG_TYPE_CGROUP_DEVICE: return "cgroup_device";
	case BPF_PROG_TYPE_TRACING: return "tracing";
	case BPF_PROG_TYPE_LSM: return "lsm";
	default: return "other";
	}
}

SEC("iter/bpf_prog")
int list_progs(struct bpf_iter__bpf_prog *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_prog *prog = ctx->prog;
	struct bpf_prog_aux *aux;
	__u8 *t;

	if (!prog) {
		BPF_SEQ_PRINTF(seq, "%llu programs\n", ctx->meta->seq_num + 1);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%5s  %-16s %-14s %-16s %6s %s\n", "ID", "NAME", "TYPE", "TAG", "XLATED", "GPL");
	aux = prog->aux;
	t = prog->tag;
	BPF_SEQ_PRINTF(seq, "%5u  %-16s %-14s ", aux->id, aux->name, type_name(prog->type));
	BPF_SEQ_PRINTF(seq, "%02x%02x%02x%02x%02x%02x%02x%02x ", t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
	BPF_SEQ_PRINTF(seq, "%6u %s\n", prog->len * 8, prog->gpl_compatible ? "yes" : "no");
	return 0;
}
