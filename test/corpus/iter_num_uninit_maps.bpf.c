// bpf_iter_num_next() on an iterator that bpf_iter_num_new() never initialised.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

__u64 first;

SEC("iter/bpf_map")
int iter_uninit(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_iter_num it;
	int *v;

	v = bpf_iter_num_next(&it);
	if (v)
		first = *v;
	bpf_iter_num_destroy(&it);
	return 0;
}
