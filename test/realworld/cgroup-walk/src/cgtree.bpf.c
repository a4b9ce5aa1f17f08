// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A cgroup tree for container inspection: one line per cgroup below the attach point, parents before
 * their children (the loader attaches with order descendants_pre), with the cgroup id a container
 * runtime or systemd reports, its depth and the number of live descendants. The last call (cgroup NULL)
 * prints how many cgroups were listed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 listed = 0;

SEC("iter/cgroup")
int cgroup_tree(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cgrp = ctx->cgroup;
	const char *name;

	if (!cgrp) {
		BPF_SEQ_PRINTF(seq, "cgroups: %llu\n", listed);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-8s %-5s %-5s NAME\n", "ID", "LEVEL", "DESC");

	listed++;
	name = cgrp->kn->name;
	BPF_SEQ_PRINTF(seq, "%-8llu %-5d %-5d %s\n", cgrp->kn->id, cgrp->level,
		       cgrp->nr_descendants, name);
	return 0;
}
