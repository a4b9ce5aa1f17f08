// SPDX-License-Identifier: GPL-2.0 OR MIT
/* slabtop-like statistics from iter/kmem_cache: object and slot size, the space lost to alignment
 * and the free pointer, objects per slab; boot caches flagged. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 caches = 0, wasted = 0;

SEC("iter/kmem_cache")
int slab_stats(struct bpf_iter__kmem_cache *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kmem_cache *s = ctx->s;
	unsigned int per_slab;

	if (!s) {
		BPF_SEQ_PRINTF(seq, "%llu caches, %llu bytes of overhead per object in total\n", caches, wasted);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-20s %7s %7s %5s %8s %s\n", "NAME", "OBJSIZE", "SLOT", "ALIGN", "OBJ/SLAB", "NOTE");
	per_slab = s->oo.x & 0xffff;
	caches++;
	wasted += s->size - s->object_size;
	BPF_SEQ_PRINTF(seq, "%-20s %7u %7u %5u %8u %s\n", s->name, s->object_size, s->size, s->align, per_slab,
		       s->refcount < 0 ? "boot" : "");
	return 0;
}
