// source: a slab-cache census with the open-coded kmem_cache iterator in a sleepable task iterator, after the pattern of the kernel's BPF test program kmem_cache_iter.c; refused on Linux 6.18: the counter compared after the loop never lets the verifier's states converge ("BPF program is too large", E2BIG)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __weak __ksym;

SEC("iter.s/task")
int slab_census(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	int caches = 0;

	if (!task || task->pid != 1)
		return 0;
	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		caches++;
	bpf_iter_kmem_cache_destroy(&it);
	if (caches > 100)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%d caches\n", caches);
	return 0;
}
